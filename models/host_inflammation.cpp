#include "models/host_inflammation.hpp"

#include <array>
#include <cmath>

#include "models/cell_types.hpp"
#include "models/tissue_state.hpp"
#include "sim/core/rng.hpp"

namespace regensim::models {

namespace {
// Sub-streams of this rule's keyed random numbers (the k of KeyedRng::bits).
enum Draw : std::uint64_t { kFate = 0, kRecruit = 1, kDivide = 2 };
}  // namespace

HostInflammationParams HostInflammationParams::read(sim::ConfigTable& t, sim::World& world) {
  HostInflammationParams p;
  p.inflammation_field = read_field(t, "inflammation_field", "inflammation", world);
  p.anti_inflammatory_field = read_field(t, "anti_inflammatory_field", "anti_inflammatory", world);
  p.tgfb_field = optional_field_index(t, "tgfb_field", world);
  p.trophic_field = optional_field_index(t, "trophic_field", world);
  p.vegf_field = optional_field_index(t, "vegf_field", world);
  const auto rate = [&t](const char* key, double fallback) {
    return t.get_double(key, fallback, sim::non_negative());
  };
  p.necrotic_secretion_per_min = rate("necrotic_secretion_per_min", p.necrotic_secretion_per_min);
  p.m1_secretion_per_min = rate("m1_secretion_per_min", p.m1_secretion_per_min);
  p.m2_anti_inflammatory_per_min =
      rate("m2_anti_inflammatory_per_min", p.m2_anti_inflammatory_per_min);
  p.m2_tgfb_per_min = rate("m2_tgfb_per_min", p.m2_tgfb_per_min);
  p.m2_trophic_per_min = rate("m2_trophic_per_min", p.m2_trophic_per_min);
  p.m2_vegf_per_min = rate("m2_vegf_per_min", p.m2_vegf_per_min);
  p.recruitment_rate_per_day = rate("recruitment_rate_per_day", p.recruitment_rate_per_day);
  p.recruitment = HillParams::read(t, "recruitment", &p.recruitment);
  p.proliferation_rate_per_day = rate("proliferation_rate_per_day", p.proliferation_rate_per_day);
  p.death_rate_per_day = rate("death_rate_per_day", p.death_rate_per_day);
  p.base_polarization_rate_per_day =
      rate("base_polarization_rate_per_day", p.base_polarization_rate_per_day);
  p.polarization_rate_per_day = rate("polarization_rate_per_day", p.polarization_rate_per_day);
  p.polarization = HillParams::read(t, "polarization", &p.polarization);
  p.m1_clearance_per_day = rate("m1_clearance_per_day", p.m1_clearance_per_day);
  p.m2_clearance_factor =
      t.get_double("m2_clearance_factor", p.m2_clearance_factor, sim::between(0.0, 1.0));
  p.resident_clearance_per_day = rate("resident_clearance_per_day", p.resident_clearance_per_day);
  return p;
}

HostInflammation::HostInflammation(std::string name, HostInflammationParams params,
                                   const sim::Mechanisms& mechanisms, sim::World& world)
    : NamedRule(std::move(name)), p_(params), enabled_(mechanisms.inflammation) {
  declare_tissue_layers(world);
  declare_cell_types(world);
  macrophage_ = world.agent_type("macrophage");
  m2_column_ = ensure_column(world, kMacrophageM2Column, 0.0f);
}

void HostInflammation::apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) {
  if (phase == sim::Phase::Act) {
    act(world, ctx);
  } else if (enabled_) {
    secrete(world);
  }
}

void HostInflammation::act(sim::World& world, const sim::StepContext& ctx) {
  auto& agents = world.agents();
  if (enabled_) {
    const sim::KeyedRng rng(ctx.seed, sim::stream_for(name()));
    const double p_death = event_probability(p_.death_rate_per_day / kMinutesPerDay, ctx.dt_min);
    auto& m2 = agents.column(m2_column_);
    const auto& types = agents.types();
    const auto& ids = agents.ids();
    const auto& voxels = agents.voxels();
    const auto n = static_cast<std::int64_t>(agents.size());
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto slot = static_cast<sim::AgentSlot>(i);
      if (types[slot] != macrophage_ || agents.is_marked(slot)) continue;
      const auto u = rng.uniform4(static_cast<std::uint64_t>(ctx.step), ids[slot], kFate);
      if (u[0] < p_death) {
        agents.mark_for_removal(slot);  // one byte per slot: no two threads share it
        continue;
      }
      if (m2[slot] == 0.0f) {
        const double a = field_at(world, p_.anti_inflammatory_field, voxels[slot]);
        const double rate =
            p_.base_polarization_rate_per_day + p_.polarization_rate_per_day * p_.polarization(a);
        if (u[1] < event_probability(rate / kMinutesPerDay, ctx.dt_min)) m2[slot] = 1.0f;
      }
    }
  }
  clear_debris(world, ctx);
  if (enabled_) add_cells(world, ctx);
}

void HostInflammation::clear_debris(sim::World& world, const sim::StepContext& ctx) {
  const TissueState s = TissueState::of(world);
  const auto& agents = world.agents();
  clearance_.assign(s.size, static_cast<float>(p_.resident_clearance_per_day));
  if (enabled_) {
    // Serial scatter in slot order: each voxel's sum is formed in one fixed order.
    const auto& m2 = agents.column(m2_column_);
    for (std::size_t i = 0; i < agents.size(); ++i) {
      const auto slot = static_cast<sim::AgentSlot>(i);
      if (agents.types()[slot] != macrophage_ || agents.is_marked(slot)) continue;
      const auto rate = static_cast<float>(p_.m1_clearance_per_day *
                                           (m2[slot] != 0.0f ? p_.m2_clearance_factor : 1.0));
      const sim::VoxelIndex v = agents.voxels()[slot];
      clearance_[v] += rate;
      std::array<sim::VoxelIndex, 6> nb{};
      const int count = world.lattice().von_neumann(v, nb);
      for (int k = 0; k < count; ++k) clearance_[nb[static_cast<std::size_t>(k)]] += rate;
    }
  }
  const auto n = static_cast<std::int64_t>(s.size);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto v = static_cast<std::size_t>(i);
    if (s.necrotic[v] <= 0.0f) continue;
    s.necrotic[v] *= static_cast<float>(
        std::exp(-static_cast<double>(clearance_[v]) / kMinutesPerDay * ctx.dt_min));
  }
}

void HostInflammation::add_cells(sim::World& world, const sim::StepContext& ctx) {
  const TissueState s = TissueState::of(world);
  const sim::KeyedRng rng(ctx.seed, sim::stream_for(name()));
  const auto step = static_cast<std::uint64_t>(ctx.step);
  births_.clear();
  // Recruitment from the blood at vessel voxels, keyed by voxel.
  for (std::size_t v = 0; v < s.size; ++v) {
    if (s.vessel[v] == 0) continue;
    const auto vox = static_cast<sim::VoxelIndex>(v);
    const double i_signal = field_at(world, p_.inflammation_field, vox);
    const double rate = p_.recruitment_rate_per_day * p_.recruitment(i_signal);
    const auto b = rng.bits(step, v, kRecruit);
    if (sim::KeyedRng::to_open01(b[0]) >= event_probability(rate / kMinutesPerDay, ctx.dt_min)) {
      continue;
    }
    sim::VoxelIndex target = 0;
    if (pick_free_neighbour(world, s.vessel, vox, sim::KeyedRng::to_open01(b[1]), target)) {
      births_.push_back({target, b[2], sim::kNoAgent});
    }
  }
  // Division of macrophages already in the tissue, keyed by cell id.
  const auto& agents = world.agents();
  for (std::size_t i = 0; i < agents.size(); ++i) {
    const auto slot = static_cast<sim::AgentSlot>(i);
    if (agents.types()[slot] != macrophage_ || agents.is_marked(slot)) continue;
    const double i_signal = field_at(world, p_.inflammation_field, agents.voxels()[slot]);
    const double rate = p_.proliferation_rate_per_day * p_.recruitment(i_signal);
    const auto b = rng.bits(step, agents.ids()[slot], kDivide);
    if (sim::KeyedRng::to_open01(b[0]) >= event_probability(rate / kMinutesPerDay, ctx.dt_min)) {
      continue;
    }
    sim::VoxelIndex target = 0;
    if (pick_free_neighbour(world, s.vessel, agents.voxels()[slot], sim::KeyedRng::to_open01(b[1]),
                            target)) {
      births_.push_back({target, b[2], slot});
    }
  }
  born_.clear();
  commit_births(world, births_, macrophage_, ctx.step, born_);
  auto& m2 = world.agents().column(m2_column_);
  for (const auto& [child, parent] : born_) {
    m2[child] = parent == sim::kNoAgent ? 0.0f : m2[parent];  // recruits arrive as M1
  }
}

void HostInflammation::secrete(sim::World& world) const {
  const TissueState s = TissueState::of(world);
  auto& inflammation = world.fields()[static_cast<std::size_t>(p_.inflammation_field)];
  const auto s_nec = static_cast<float>(p_.necrotic_secretion_per_min);
  for (std::size_t v = 0; v < s.size; ++v) {
    if (s.necrotic[v] > 0.0f && s_nec > 0.0f) {
      inflammation.point_terms().push_back(
          {static_cast<sim::VoxelIndex>(v), s_nec * s.necrotic[v], 0.0f});
    }
  }
  const auto add = [&world](int field, sim::VoxelIndex v, double rate) {
    if (field < 0 || rate <= 0.0) return;
    world.fields()[static_cast<std::size_t>(field)].point_terms().push_back(
        {v, static_cast<float>(rate), 0.0f});
  };
  const auto& agents = world.agents();
  const auto& m2 = agents.column(m2_column_);
  for (std::size_t i = 0; i < agents.size(); ++i) {
    const auto slot = static_cast<sim::AgentSlot>(i);
    if (agents.types()[slot] != macrophage_ || agents.is_marked(slot)) continue;
    const sim::VoxelIndex v = agents.voxels()[slot];
    if (m2[slot] == 0.0f) {
      add(p_.inflammation_field, v, p_.m1_secretion_per_min);
    } else {
      add(p_.anti_inflammatory_field, v, p_.m2_anti_inflammatory_per_min);
      add(p_.tgfb_field, v, p_.m2_tgfb_per_min);
      add(p_.trophic_field, v, p_.m2_trophic_per_min);
      add(p_.vegf_field, v, p_.m2_vegf_per_min);
    }
  }
}

}  // namespace regensim::models
