#include "models/host_angiogenesis.hpp"

#include <algorithm>
#include <array>

#include "models/cell_types.hpp"
#include "models/tissue_state.hpp"
#include "sim/core/rng.hpp"

namespace regensim::models {

namespace {

// Face directions in the lattice's von Neumann order; d ^ 1 is the opposite of d.
constexpr std::array<std::array<int, 3>, 6> kDirections = {
    {{-1, 0, 0}, {1, 0, 0}, {0, -1, 0}, {0, 1, 0}, {0, 0, -1}, {0, 0, 1}}};

bool neighbour(const sim::Lattice& lattice, sim::VoxelIndex v, int d, sim::VoxelIndex& out) {
  sim::Coord c = lattice.coord(v);
  const auto& o = kDirections[static_cast<std::size_t>(d)];
  c = {c.x + o[0], c.y + o[1], c.z + o[2]};
  if (!lattice.contains(c)) return false;
  out = lattice.index(c);
  return true;
}

// Sub-streams of this rule's keyed random numbers.
enum Draw : std::uint64_t { kMove = 0, kBranch = 1, kSprout = 2 };

}  // namespace

HostAngiogenesisParams HostAngiogenesisParams::read(sim::ConfigTable& t, sim::World& world) {
  HostAngiogenesisParams p;
  p.vegf_field = read_field(t, "vegf_field", "vegf", world);
  p.sprout_threshold = t.get_double("sprout_threshold", p.sprout_threshold, sim::non_negative());
  p.sprout_rate_per_day =
      t.get_double("sprout_rate_per_day", p.sprout_rate_per_day, sim::non_negative());
  p.speed_um_per_hour = t.get_double("speed_um_per_hour", p.speed_um_per_hour, sim::non_negative());
  p.gradient_weight = t.get_double("gradient_weight", p.gradient_weight, sim::between(0.0, 1.0));
  p.persistence_weight =
      t.get_double("persistence_weight", p.persistence_weight, sim::between(0.0, 1.0));
  if (p.gradient_weight + p.persistence_weight > 1.0) {
    t.fail("persistence_weight", "gradient_weight + persistence_weight must be <= 1");
  }
  p.branch_min_length_um =
      t.get_double("branch_min_length_um", p.branch_min_length_um, sim::non_negative());
  p.branch_max_length_um =
      t.get_double("branch_max_length_um", p.branch_max_length_um, sim::non_negative());
  if (p.branch_max_length_um <= p.branch_min_length_um) {
    t.fail("branch_max_length_um", "must be above branch_min_length_um");
  }
  return p;
}

double HostAngiogenesisParams::branch_probability(double length_um) const {
  const double f =
      (length_um - branch_min_length_um) / (branch_max_length_um - branch_min_length_um);
  return std::clamp(f, 0.0, 1.0);
}

HostAngiogenesis::HostAngiogenesis(std::string name, HostAngiogenesisParams params,
                                   const sim::Mechanisms& mechanisms, sim::World& world)
    : NamedRule(std::move(name)), p_(params), enabled_(mechanisms.angiogenesis) {
  declare_tissue_layers(world);
  declare_cell_types(world);
  tip_ = world.agent_type("endothelial_tip");
  length_column_ = ensure_column(world, kSproutLengthColumn, 0.0f);
  heading_column_ = ensure_column(world, kSproutHeadingColumn, -1.0f);
}

void HostAngiogenesis::apply(sim::Phase, sim::World& world, const sim::StepContext& ctx) {
  if (!enabled_) return;
  fuse(world);
  migrate(world, ctx);
  sprout(world, ctx);
}

void HostAngiogenesis::make_vessel(sim::World& world, sim::VoxelIndex v) const {
  world.tissue().find("vessel")->classes[v] = 1;
  for (auto& f : world.fields()) {
    if (f.spec().fixed_layer == "vessel") f.values()[v] = static_cast<float>(f.spec().fixed_value);
  }
}

void HostAngiogenesis::fuse(sim::World& world) {
  auto& agents = world.agents();
  const sim::Lattice& lattice = world.lattice();
  const TissueState s = TissueState::of(world);
  const auto& heading = agents.column(heading_column_);
  const auto n = static_cast<std::int64_t>(agents.size());
  fused_.assign(agents.size(), 0);
  // Two tips meet unless one sits where the other came from: a branch and its parent
  // are neighbours for one step and must not fuse.
  const auto back_voxel = [&](sim::AgentSlot a, sim::VoxelIndex& out) {
    return heading[a] >= 0.0f &&
           neighbour(lattice, agents.voxels()[a], static_cast<int>(heading[a]) ^ 1, out);
  };
  const auto meets = [&](sim::AgentSlot a, sim::AgentSlot b) {
    if (b == sim::kNoAgent || agents.types()[b] != tip_ || agents.is_marked(b)) return false;
    sim::VoxelIndex back = 0;
    if (back_voxel(a, back) && back == agents.voxels()[b]) return false;
    return !(back_voxel(b, back) && back == agents.voxels()[a]);
  };
  // Decided from the state at the start of the step, so two tips that meet both fuse.
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto slot = static_cast<sim::AgentSlot>(i);
    if (agents.types()[slot] != tip_ || agents.is_marked(slot)) continue;
    const int back = heading[slot] < 0.0f ? -1 : static_cast<int>(heading[slot]) ^ 1;
    for (int d = 0; d < 6; ++d) {
      sim::VoxelIndex w = 0;
      if (d == back || !neighbour(lattice, agents.voxels()[slot], d, w)) continue;
      if (s.vessel[w] != 0 || meets(slot, agents.at(w))) fused_[slot] = 1;
    }
  }
  for (std::size_t i = 0; i < fused_.size(); ++i) {
    if (fused_[i] == 0) continue;
    const auto slot = static_cast<sim::AgentSlot>(i);
    make_vessel(world, agents.voxels()[slot]);
    agents.mark_for_removal(slot);
  }
}

void HostAngiogenesis::migrate(sim::World& world, const sim::StepContext& ctx) {
  auto& agents = world.agents();
  const sim::Lattice& lattice = world.lattice();
  const TissueState s = TissueState::of(world);
  const auto& vegf = world.fields()[static_cast<std::size_t>(p_.vegf_field)].values();
  const sim::KeyedRng rng(ctx.seed, sim::stream_for(name()));
  const auto step = static_cast<std::uint64_t>(ctx.step);
  const double jumps_per_min = p_.speed_um_per_hour / lattice.voxel_size_um() / 60.0;
  const double p_move = event_probability(jumps_per_min, ctx.dt_min);
  const auto n = static_cast<std::int64_t>(agents.size());
  moves_.assign(agents.size(), {0, 0, 0});
  dir_.assign(agents.size(), -1);
  {
    const auto& heading = agents.column(heading_column_);
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto slot = static_cast<sim::AgentSlot>(i);
      if (agents.types()[slot] != tip_ || agents.is_marked(slot)) continue;
      const sim::VoxelIndex v = agents.voxels()[slot];
      if (vegf[v] < p_.sprout_threshold) continue;  // stalled until VEGF returns
      const auto b = rng.bits(step, agents.ids()[slot], kMove);
      const double u_move = sim::KeyedRng::to_open01(b[0]);
      if (u_move >= p_move) continue;
      const int ahead = static_cast<int>(heading[slot]);
      std::array<int, 6> dirs{};
      std::array<sim::VoxelIndex, 6> targets{};
      int count = 0, best = -1, straight = -1;
      for (int d = 0; d < 6; ++d) {
        sim::VoxelIndex w = 0;
        if ((ahead >= 0 && d == (ahead ^ 1)) || !neighbour(lattice, v, d, w)) continue;
        if (s.vessel[w] != 0 || agents.occupied(w)) continue;
        if (best < 0 || vegf[w] > vegf[targets[static_cast<std::size_t>(best)]]) best = count;
        if (d == ahead) straight = count;
        dirs[static_cast<std::size_t>(count)] = d;
        targets[static_cast<std::size_t>(count++)] = w;
      }
      if (count == 0) continue;
      const double mode = sim::KeyedRng::to_open01(b[1]);
      int pick = std::min(count - 1, static_cast<int>(sim::KeyedRng::to_open01(b[2]) * count));
      if (mode < p_.gradient_weight) {
        pick = best;
      } else if (mode < p_.gradient_weight + p_.persistence_weight && straight >= 0) {
        pick = straight;
      }
      moves_[slot] = {slot, targets[static_cast<std::size_t>(pick)], b[3] | 1u};
      dir_[slot] = static_cast<std::int8_t>(dirs[static_cast<std::size_t>(pick)]);
    }
  }
  from_.assign(agents.voxels().begin(), agents.voxels().end());
  std::vector<sim::MoveProposal>& proposals = moves_;
  proposals.erase(std::remove_if(proposals.begin(), proposals.end(),
                                 [](const sim::MoveProposal& m) { return m.priority == 0; }),
                  proposals.end());
  sim::commit_moves(agents, proposals);

  // The voxels left behind become vessel; moved tips may branch.
  auto& length = agents.column(length_column_);
  auto& heading = agents.column(heading_column_);
  const double h = lattice.voxel_size_um();
  births_.clear();
  for (std::size_t i = 0; i < from_.size(); ++i) {
    const auto slot = static_cast<sim::AgentSlot>(i);
    if (agents.voxels()[slot] == from_[slot]) continue;
    make_vessel(world, from_[slot]);
    length[slot] += static_cast<float>(h);
    heading[slot] = dir_[slot];
    const auto b = rng.bits(step, agents.ids()[slot], kBranch);
    if (sim::KeyedRng::to_open01(b[0]) >= p_.branch_probability(length[slot])) continue;
    sim::VoxelIndex target = 0;
    if (pick_free_neighbour(world, s.vessel, agents.voxels()[slot], sim::KeyedRng::to_open01(b[1]),
                            target)) {
      births_.push_back({target, b[2], slot});
    }
  }
  born_.clear();
  commit_births(world, births_, tip_, ctx.step, born_);
  auto& length_after = agents.column(length_column_);  // columns grew with the births
  auto& heading_after = agents.column(heading_column_);
  for (const auto& [child, parent] : born_) {
    length_after[parent] = 0.0f;
    length_after[child] = 0.0f;
    const sim::VoxelIndex pv = agents.voxels()[parent];
    for (int d = 0; d < 6; ++d) {
      sim::VoxelIndex w = 0;
      if (neighbour(lattice, pv, d, w) && w == agents.voxels()[child]) {
        heading_after[child] = static_cast<float>(d);
      }
    }
  }
}

void HostAngiogenesis::sprout(sim::World& world, const sim::StepContext& ctx) {
  auto& agents = world.agents();
  const sim::Lattice& lattice = world.lattice();
  const TissueState s = TissueState::of(world);
  const auto& vegf = world.fields()[static_cast<std::size_t>(p_.vegf_field)].values();
  const sim::KeyedRng rng(ctx.seed, sim::stream_for(name()));
  const double p_sprout = event_probability(p_.sprout_rate_per_day / kMinutesPerDay, ctx.dt_min);
  const auto lone = [&](sim::VoxelIndex w, sim::VoxelIndex source) {
    // No vessel but the source and no tip next to w: sprouts keep apart (lateral
    // inhibition) and never fuse on the spot.
    for (int d = 0; d < 6; ++d) {
      sim::VoxelIndex x = 0;
      if (!neighbour(lattice, w, d, x) || x == source) continue;
      const sim::AgentSlot a = agents.at(x);
      if (s.vessel[x] != 0 || (a != sim::kNoAgent && agents.types()[a] == tip_)) return false;
    }
    return true;
  };
  births_.clear();
  for (std::size_t i = 0; i < s.size; ++i) {
    if (s.vessel[i] == 0) continue;
    const auto v = static_cast<sim::VoxelIndex>(i);
    const auto b = rng.bits(static_cast<std::uint64_t>(ctx.step), v, kSprout);
    if (sim::KeyedRng::to_open01(b[0]) >= p_sprout) continue;
    sim::VoxelIndex best = 0;
    bool found = false;
    for (int d = 0; d < 6; ++d) {
      sim::VoxelIndex w = 0;
      if (!neighbour(lattice, v, d, w) || s.vessel[w] != 0 || agents.occupied(w)) continue;
      if (vegf[w] < p_.sprout_threshold || (found && vegf[w] <= vegf[best]) || !lone(w, v)) {
        continue;
      }
      best = w;
      found = true;
    }
    if (found) births_.push_back({best, b[1], sim::kNoAgent});
  }
  born_.clear();
  commit_births(world, births_, tip_, ctx.step, born_);
  auto& heading = agents.column(heading_column_);
  for (const auto& born : born_) {
    const sim::VoxelIndex w = agents.voxels()[born.first];
    for (int d = 0; d < 6; ++d) {
      sim::VoxelIndex x = 0;
      // The one vessel next to a new tip is its source (lone() saw to that).
      if (neighbour(lattice, w, d, x) && s.vessel[x] != 0)
        heading[born.first] = static_cast<float>(d ^ 1);
    }
  }
}

}  // namespace regensim::models
