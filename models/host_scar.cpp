#include "models/host_scar.hpp"

#include <algorithm>
#include <cmath>

#include "models/cell_types.hpp"
#include "models/tissue_state.hpp"
#include "sim/core/rng.hpp"

namespace regensim::models {

HostScarParams HostScarParams::read(sim::ConfigTable& t, sim::World& world) {
  HostScarParams p;
  p.tgfb_field = read_field(t, "tgfb_field", "tgfb", world);
  p.inflammation_field = optional_field_index(t, "inflammation_field", world);
  p.anti_inflammatory_field = optional_field_index(t, "anti_inflammatory_field", world);
  p.antifibrotic_field = optional_field_index(t, "antifibrotic_field", world);
  const auto rate = [&t](const char* key, double fallback) {
    return t.get_double(key, fallback, sim::non_negative());
  };
  p.activation_rate_per_day = rate("activation_rate_per_day", p.activation_rate_per_day);
  p.tgfb = HillParams::read(t, "tgfb", &p.tgfb);
  p.inflammation = HillParams::read(t, "inflammation", &p.inflammation);
  p.anti_inflammatory = HillParams::read(t, "anti_inflammatory", &p.anti_inflammatory);
  p.proliferation_rate_per_day = rate("proliferation_rate_per_day", p.proliferation_rate_per_day);
  p.death_rate_per_day = rate("death_rate_per_day", p.death_rate_per_day);
  p.collagen_deposition_per_day =
      rate("collagen_deposition_per_day", p.collagen_deposition_per_day);
  p.scar_collagen_threshold =
      t.get_double("scar_collagen_threshold", p.scar_collagen_threshold, sim::between(0.0, 1.0));
  // Read (and shown in the resolved config) even without a factor field, so a typo in
  // them is an error rather than silently unused.
  p.antifibrotic = HillParams::read(t, "antifibrotic", &p.antifibrotic);
  p.max_activation_inhibition = t.get_double("max_activation_inhibition",
                                             p.max_activation_inhibition, sim::between(0.0, 1.0));
  p.max_deposition_inhibition = t.get_double("max_deposition_inhibition",
                                             p.max_deposition_inhibition, sim::between(0.0, 1.0));
  p.collagen_turnover_per_day = rate("collagen_turnover_per_day", p.collagen_turnover_per_day);
  return p;
}

double HostScarParams::activation_per_day(double tgfb_value, double inflammation_value,
                                          double anti_value, double antifibrotic_response) const {
  const double stimulus = 1.0 - (1.0 - tgfb(tgfb_value)) * (1.0 - inflammation(inflammation_value));
  return activation_rate_per_day * stimulus * anti_inflammatory.low(anti_value) *
         (1.0 - max_activation_inhibition * antifibrotic_response);
}

HostScar::HostScar(std::string name, HostScarParams params, const sim::Mechanisms& mechanisms,
                   sim::World& world)
    : NamedRule(std::move(name)),
      p_(params),
      enabled_(mechanisms.scar),
      antifibrotic_on_(mechanisms.antifibrotic && params.antifibrotic_field >= 0) {
  declare_tissue_layers(world);
  declare_cell_types(world);
  fibroblast_ = world.agent_type("fibroblast");
  myo_column_ = ensure_column(world, kMyofibroblastColumn, 0.0f);
}

void HostScar::apply(sim::Phase, sim::World& world, const sim::StepContext& ctx) {
  if (!enabled_) return;
  const TissueState s = TissueState::of(world);
  auto& agents = world.agents();
  auto& myo = agents.column(myo_column_);
  const sim::KeyedRng rng(ctx.seed, sim::stream_for(name()));
  const auto step = static_cast<std::uint64_t>(ctx.step);
  const double dt_day = ctx.dt_min / kMinutesPerDay;
  const double p_death = event_probability(p_.death_rate_per_day / kMinutesPerDay, ctx.dt_min);
  // Response to the anti-fibrotic factor (HGF-like): 0 without the mechanism.
  const auto antifibrotic = [&](sim::VoxelIndex v) {
    return antifibrotic_on_ ? p_.antifibrotic(field_at(world, p_.antifibrotic_field, v)) : 0.0;
  };
  births_.clear();
  // Serial in slot order: at most one cell per voxel, and births need the commit order.
  for (std::size_t i = 0; i < agents.size(); ++i) {
    const auto slot = static_cast<sim::AgentSlot>(i);
    if (agents.types()[slot] != fibroblast_ || agents.is_marked(slot)) continue;
    const sim::VoxelIndex v = agents.voxels()[slot];
    const auto u = rng.uniform4(step, agents.ids()[slot]);
    const double b = field_at(world, p_.tgfb_field, v);
    const double a = antifibrotic(v);
    if (myo[slot] == 0.0f) {
      const double rate = p_.activation_per_day(b, field_at(world, p_.inflammation_field, v),
                                                field_at(world, p_.anti_inflammatory_field, v), a);
      if (u[0] < event_probability(rate / kMinutesPerDay, ctx.dt_min)) myo[slot] = 1.0f;
      continue;  // a newly activated cell starts its work next step
    }
    if (u[0] < p_death) {
      agents.mark_for_removal(slot);
      continue;
    }
    s.collagen[v] += std::min(static_cast<float>(p_.deposition(dt_day, a)), s.free_space(v));
    const double prol = p_.proliferation_rate_per_day * p_.tgfb(b);
    sim::VoxelIndex target = 0;
    if (u[1] < event_probability(prol / kMinutesPerDay, ctx.dt_min) &&
        pick_free_neighbour(world, s.vessel, v, u[2], target)) {
      births_.push_back({target, rng.bits(step, agents.ids()[slot], 1)[0], slot});
    }
  }
  born_.clear();
  commit_births(world, births_, fibroblast_, ctx.step, born_);
  auto& myo_after = agents.column(myo_column_);  // the column may have grown
  for (const auto& [child, parent] : born_) myo_after[child] = 1.0f;

  const auto threshold = static_cast<float>(p_.scar_collagen_threshold);
  const auto n = static_cast<std::int64_t>(s.size);
  const bool turnover = antifibrotic_on_ && p_.collagen_turnover_per_day > 0.0;
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto v = static_cast<sim::VoxelIndex>(i);
    // MMPs degrade young collagen; once a voxel is scar (cross-linked) it stays.
    if (turnover && s.scar[v] == 0 && s.collagen[v] > 0.0f) {
      const double k = p_.collagen_turnover_per_day * antifibrotic(v) * dt_day;
      s.collagen[v] = static_cast<float>(s.collagen[v] * std::exp(-k));
    }
    if (s.collagen[v] >= threshold) s.scar[v] = 1;
  }
}

}  // namespace regensim::models
