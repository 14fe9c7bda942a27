#include "models/host_repair.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "models/host_common.hpp"
#include "models/tissue_state.hpp"

namespace regensim::models {

HostRepairParams HostRepairParams::read(sim::ConfigTable& t, sim::World& world) {
  HostRepairParams p;
  p.stimulus_field = optional_field_index(t, "stimulus_field", world);
  p.msc_origin_field = optional_field_index(t, "msc_origin_field", world);
  if (p.msc_origin_field >= 0 && p.stimulus_field < 0) {
    t.fail("msc_origin_field", "needs stimulus_field (the total it is a part of)");
  }
  p.tissue_kinds = read_tissue_kinds(t, "tissue_types");
  p.base_rate_per_day = t.get_double("base_rate_per_day", 0.05, sim::non_negative());
  p.stimulus_gain = t.get_double("stimulus_gain", 2.0, sim::non_negative());
  p.stimulus_response = HillParams::read(t, "stimulus", &p.stimulus_response);
  p.front_threshold = t.get_double("front_threshold", 0.5, sim::between(0.0, 1.0));
  return p;
}

HostRepairParams::Rates HostRepairParams::rates_per_day(double stimulus,
                                                        double stimulus_msc) const {
  const double h = stimulus_response(stimulus);
  // Float round-off can make the shadow field a hair above the total; the host-made part
  // is never negative.
  const double host_only = std::max(0.0, stimulus - stimulus_msc);
  const double h_host = stimulus_response(host_only);
  return {base_rate_per_day * (1.0 + stimulus_gain * h),
          base_rate_per_day * stimulus_gain * std::max(0.0, h - h_host)};
}

HostRepair::HostRepair(std::string name, HostRepairParams params, sim::World& world)
    : NamedRule(std::move(name)), p_(params) {
  declare_tissue_layers(world);
}

void HostRepair::apply(sim::Phase, sim::World& world, const sim::StepContext& ctx) {
  const TissueState s = TissueState::of(world);
  const sim::Lattice& lattice = world.lattice();
  const auto n = static_cast<std::int64_t>(s.size);
  const auto native = [&s](sim::VoxelIndex v) {
    return s.viable[v] + s.regen_paracrine[v] + s.regen_spontaneous[v];
  };
  // The front is found from the state before any regrowth of this step, so the result
  // does not depend on the order voxels are visited in.
  front_.assign(s.size, 0);
  const auto theta = static_cast<float>(p_.front_threshold);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto v = static_cast<sim::VoxelIndex>(i);
    if (native(v) >= theta) {
      front_[v] = 1;
      continue;
    }
    std::array<sim::VoxelIndex, 6> nb{};
    const int count = lattice.von_neumann(v, nb);
    for (int k = 0; k < count; ++k) {
      if (native(nb[static_cast<std::size_t>(k)]) >= theta) front_[v] = 1;
    }
  }

#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto v = static_cast<sim::VoxelIndex>(i);
    if (s.injury[v] == kIntact || s.scar[v] != 0 || front_[v] == 0) continue;
    if ((p_.tissue_kinds & (1u << s.tissue_type[v])) == 0) continue;
    const float free = s.free_space(v);
    if (free <= 0.0f) continue;
    const HostRepairParams::Rates r = p_.rates_per_day(field_at(world, p_.stimulus_field, v),
                                                       field_at(world, p_.msc_origin_field, v));
    if (r.total <= 0.0) continue;
    const double grown = free * event_probability(r.total / kMinutesPerDay, ctx.dt_min);
    const auto paracrine = static_cast<float>(grown * (r.paracrine / r.total));
    s.regen_paracrine[v] += paracrine;
    s.regen_spontaneous[v] += static_cast<float>(grown) - paracrine;
  }
}

}  // namespace regensim::models
