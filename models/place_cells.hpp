#pragma once
/// Setup rule: places `count` cells of one type uniformly at random among the free,
/// non-vessel voxels of a sphere (a local injection bolus; docs/model.md#place_cells).
#include <array>
#include <optional>
#include <string>

#include "sim/config/config_table.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct PlaceCellsParams {
  sim::AgentType type = 0;
  std::int64_t count = 0;
  std::optional<std::array<double, 3>> center_um;  // default: the lattice centre
  double radius_um = 0.0;
  std::string count_where;  // config location of `count`, for errors found at setup
  static PlaceCellsParams read(sim::ConfigTable& t, sim::World& world);
};

class PlaceCells final : public sim::NamedRule {
 public:
  PlaceCells(std::string name, PlaceCellsParams params);
  sim::PhaseSet phases() const override { return {sim::Phase::Setup}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  PlaceCellsParams p_;
};

}  // namespace regensim::models
