#include "models/host_cell_death.hpp"

#include <algorithm>
#include <cmath>

#include "models/host_common.hpp"
#include "models/tissue_state.hpp"

namespace regensim::models {

HostCellDeathParams HostCellDeathParams::read(sim::ConfigTable& t, sim::World& world) {
  HostCellDeathParams p;
  p.oxygen_field = read_field(t, "oxygen_field", "oxygen", world);
  p.inflammation_field = optional_field_index(t, "inflammation_field", world);
  p.trophic_field = optional_field_index(t, "trophic_field", world);
  p.tissue_kinds = read_tissue_kinds(t, "tissue_types");
  p.necrosis_onset_mmHg = t.get_double("necrosis_onset_mmHg", 5.0, sim::positive());
  p.necrosis_max_mmHg = t.get_double("necrosis_max_mmHg", 2.5, sim::non_negative());
  if (p.necrosis_max_mmHg >= p.necrosis_onset_mmHg) {
    t.fail("necrosis_max_mmHg", "must be below necrosis_onset_mmHg");
  }
  p.hypoxic_rate_per_day = t.get_double("hypoxic_rate_per_day", 2.0, sim::non_negative());
  p.inflammatory_rate_per_day = t.get_double("inflammatory_rate_per_day", 0.2, sim::non_negative());
  p.inflammation_response = HillParams::read(t, "inflammation", &p.inflammation_response);
  p.trophic_response = HillParams::read(t, "trophic", &p.trophic_response);
  p.max_trophic_protection = t.get_double("max_trophic_protection", 0.5, sim::between(0.0, 1.0));
  return p;
}

double HostCellDeathParams::hazard_per_day(double oxygen, double inflammation, double trophic,
                                           bool inflammation_on) const {
  const double depth = (necrosis_onset_mmHg - oxygen) / (necrosis_onset_mmHg - necrosis_max_mmHg);
  double h = hypoxic_rate_per_day * std::clamp(depth, 0.0, 1.0);
  if (inflammation_on) {
    h += inflammatory_rate_per_day * inflammation_response(inflammation);
  }
  return h * (1.0 - max_trophic_protection * trophic_response(trophic));
}

HostCellDeath::HostCellDeath(std::string name, HostCellDeathParams params,
                             const sim::Mechanisms& mechanisms, sim::World& world)
    : NamedRule(std::move(name)), p_(params), inflammation_on_(mechanisms.inflammation) {
  declare_tissue_layers(world);
}

void HostCellDeath::apply(sim::Phase, sim::World& world, const sim::StepContext& ctx) {
  const TissueState s = TissueState::of(world);
  const bool inflammation_on = inflammation_on_ && p_.inflammation_field >= 0;
  const auto n = static_cast<std::int64_t>(s.size);
  // Each voxel depends only on its own values: any thread count gives the same result.
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto v = static_cast<sim::VoxelIndex>(i);
    if (s.viable[v] <= 0.0f || (p_.tissue_kinds & (1u << s.tissue_type[v])) == 0) continue;
    const double h = p_.hazard_per_day(field_at(world, p_.oxygen_field, v),
                                       field_at(world, p_.inflammation_field, v),
                                       field_at(world, p_.trophic_field, v), inflammation_on);
    if (h <= 0.0) continue;
    const float dead =
        s.viable[v] * static_cast<float>(event_probability(h / kMinutesPerDay, ctx.dt_min));
    s.viable[v] -= dead;
    s.necrotic[v] += dead;
  }
}

}  // namespace regensim::models
