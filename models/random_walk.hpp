#pragma once
/// Act-phase rule: unbiased lattice random walk with volume exclusion
/// (docs/model.md#random_walk). Each step a cell of the listed types jumps with
/// probability 1 - exp(-lambda * dt), lambda = speed_um_per_hour / voxel size, to one of
/// its von Neumann neighbours chosen uniformly; the jump happens only if that voxel was
/// empty (and not a vessel) when the step began and no competitor with a lower keyed
/// priority wants it.
/// With a chemotaxis field c, neighbour j is chosen with weight
/// exp(chi * (c_j - c_i) / (K + c_i)): a relative (Weber-law) gradient bias up the field.
#include <array>
#include <cstdint>
#include <vector>

#include "sim/agents/move_commit.hpp"
#include "sim/config/config_table.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct RandomWalkParams {
  std::vector<sim::AgentType> cell_types;
  double speed_um_per_hour = 0.0;
  int chemotaxis_field = -1;            // field index, -1: unbiased walk
  double chemotaxis_sensitivity = 0.0;  // chi, dimensionless
  double chemotaxis_half_max = 1.0;     // K, field units
  static RandomWalkParams read(sim::ConfigTable& t, sim::World& world);
};

class RandomWalk final : public sim::NamedRule {
 public:
  RandomWalk(std::string name, RandomWalkParams params);
  sim::PhaseSet phases() const override { return {sim::Phase::Act}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;
  /// Jump probability per step for a lattice spacing h (µm) and step dt (min).
  double jump_probability(double h_um, double dt_min) const;
  /// Index of the neighbour chosen by u in (0,1) under the chemotactic weights.
  int chemotactic_pick(const std::vector<float>& c, sim::VoxelIndex from,
                       const std::array<sim::VoxelIndex, 6>& nb, int count, double u) const;

 private:
  RandomWalkParams p_;
  std::array<bool, 256> walks_{};         // by agent type: listed in cell_types
  std::vector<sim::VoxelIndex> targets_;  // per slot, sim::kNoMove if none; reused
};

}  // namespace regensim::models
