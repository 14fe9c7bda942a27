#pragma once
/// Secrete-phase rules that couple cells to fields (docs/model.md#secretion-and-uptake):
///  - `uptake`: each cell of the listed types removes the field at a first-order rate,
///    dc/dt = -uptake_per_min * c in its voxel (e.g. oxygen consumption);
///  - `secretion`: each cell of the listed types adds rate_per_min (field units per
///    minute) to its voxel. Secretion is paracrine signalling: with
///    mechanisms.paracrine = false the rule secretes nothing (cells still live and move).
#include <vector>

#include "sim/config/config_table.hpp"
#include "sim/config/run_config.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct CellFieldCouplingParams {
  std::vector<sim::AgentType> cell_types;
  int field = -1;     // index into World::fields()
  double rate = 0.0;  // uptake: 1/min; secretion: field units/min
};

class Uptake final : public sim::NamedRule {
 public:
  Uptake(std::string name, CellFieldCouplingParams params);
  static CellFieldCouplingParams read(sim::ConfigTable& t, sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Secrete}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  CellFieldCouplingParams p_;
};

class Secretion final : public sim::NamedRule {
 public:
  Secretion(std::string name, CellFieldCouplingParams params, const sim::Mechanisms& mechanisms);
  static CellFieldCouplingParams read(sim::ConfigTable& t, sim::World& world);
  sim::PhaseSet phases() const override { return {sim::Phase::Secrete}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  CellFieldCouplingParams p_;
  bool enabled_;
};

}  // namespace regensim::models
