#include "models/random_walk.hpp"

#include <algorithm>
#include <cmath>

#include "models/cell_types.hpp"
#include "models/signals.hpp"
#include "sim/core/rng.hpp"

namespace regensim::models {

RandomWalkParams RandomWalkParams::read(sim::ConfigTable& t, sim::World& world) {
  RandomWalkParams p;
  p.cell_types = read_cell_types(t, "cell_types", world);
  p.speed_um_per_hour = t.get_double("speed_um_per_hour", sim::non_negative());
  if (t.has("chemotaxis_field")) {
    p.chemotaxis_field = field_index(t, "chemotaxis_field", world);
    p.chemotaxis_sensitivity = t.get_double("chemotaxis_sensitivity", sim::non_negative());
    p.chemotaxis_half_max = t.get_double("chemotaxis_half_max", sim::positive());
  } else {
    t.accept("chemotaxis_field");
  }
  return p;
}

RandomWalk::RandomWalk(std::string name, RandomWalkParams params)
    : NamedRule(std::move(name)), p_(std::move(params)) {
  for (const sim::AgentType t : p_.cell_types) walks_[t] = true;
}

int RandomWalk::chemotactic_pick(const std::vector<float>& c, sim::VoxelIndex from,
                                 const std::array<sim::VoxelIndex, 6>& nb, int count,
                                 double u) const {
  std::array<double, 6> w{};
  double total = 0.0;
  const double scale = p_.chemotaxis_sensitivity / (p_.chemotaxis_half_max + c[from]);
  for (int j = 0; j < count; ++j) {
    total += w[static_cast<std::size_t>(j)] =
        std::exp(scale * (c[nb[static_cast<std::size_t>(j)]] - c[from]));
  }
  double acc = 0.0;
  for (int j = 0; j < count; ++j) {
    acc += w[static_cast<std::size_t>(j)];
    if (u * total < acc) return j;
  }
  return count - 1;
}

double RandomWalk::jump_probability(double h_um, double dt_min) const {
  const double jumps_per_min = p_.speed_um_per_hour / h_um / 60.0;
  return 1.0 - std::exp(-jumps_per_min * dt_min);
}

void RandomWalk::apply(sim::Phase, sim::World& world, const sim::StepContext& ctx) {
  auto& agents = world.agents();
  const sim::Lattice& lattice = world.lattice();
  const double p_jump = jump_probability(lattice.voxel_size_um(), ctx.dt_min);
  const sim::KeyedRng rng(ctx.seed, sim::stream_for(name()));
  const auto n = static_cast<std::int64_t>(agents.size());
  targets_.resize(agents.size());
  const auto& ids = agents.ids();
  const auto& types = agents.types();
  const auto& voxels = agents.voxels();
  const sim::TissueLayer* vessel_layer = world.tissue().find("vessel");
  const std::uint8_t* vessel = vessel_layer != nullptr ? vessel_layer->classes.data() : nullptr;
  const std::vector<float>* chemo =
      p_.chemotaxis_field < 0
          ? nullptr
          : &world.fields()[static_cast<std::size_t>(p_.chemotaxis_field)].values();

  // Propose in parallel: each agent's choice depends only on (seed, step, id); the commit
  // drops moves into voxels occupied at the start of the step and picks one winner per
  // voxel.
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto slot = static_cast<sim::AgentSlot>(i);
    targets_[slot] = sim::kNoMove;
    if (!walks_[types[slot]] || agents.is_marked(slot)) continue;
    const auto bits = rng.bits(static_cast<std::uint64_t>(ctx.step), ids[slot]);
    if (sim::KeyedRng::to_open01(bits[0]) >= p_jump) continue;
    std::array<sim::VoxelIndex, 6> nb{};
    const int count = lattice.von_neumann(voxels[slot], nb);
    if (count == 0) continue;  // a one-voxel lattice
    const double u = sim::KeyedRng::to_open01(bits[1]);
    const int pick = chemo == nullptr ? static_cast<int>(u * count)
                                      : chemotactic_pick(*chemo, voxels[slot], nb, count, u);
    // An occupied target (contact: no room there) fails in the commit, which reads the
    // occupancy anyway; reading it here would stall this loop on a cache miss per agent.
    targets_[slot] = nb[static_cast<std::size_t>(std::min(pick, count - 1))];
  }
  if (vessel != nullptr) {  // cells stay out of vessels; a tight loop, so loads overlap
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      const sim::VoxelIndex t = targets_[static_cast<std::size_t>(i)];
      if (t != sim::kNoMove && vessel[t] != 0) targets_[static_cast<std::size_t>(i)] = sim::kNoMove;
    }
  }
  // A contested voxel goes to the lowest keyed priority: word 2 of the agent's draw above.
  sim::commit_moves(agents, targets_, {rng, static_cast<std::uint64_t>(ctx.step), 0, 2});
}

}  // namespace regensim::models
