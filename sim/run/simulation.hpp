#pragma once
/// One simulation: the world, its rules in config order, the field solver and the
/// metrics. build() reads and validates the whole config (engine sections and every
/// rule's table) and runs the Setup phase, so every config error surfaces before any
/// output exists.
#include <memory>
#include <string>
#include <vector>

#include "sim/config/config_table.hpp"
#include "sim/config/run_config.hpp"
#include "sim/core/world.hpp"
#include "sim/rules/registry.hpp"
#include "sim/rules/rule.hpp"
#include "sim/solver/diffusion_solver.hpp"

namespace regensim::sim {

class Simulation {
 public:
  /// Reads `doc` (after any --set overrides), builds the world and rules, runs Setup.
  static std::unique_ptr<Simulation> build(ConfigDocument& doc, const RuleRegistry& registry);

  const RunConfig& config() const { return config_; }
  World& world() { return *world_; }
  const World& world() const { return *world_; }
  const std::vector<std::unique_ptr<Rule>>& rules() const { return rules_; }
  const std::vector<MetricDef>& metrics() const { return metrics_; }

  /// Advances one cell step: rule phases Sense..Secrete, field solve (with sub-steps),
  /// agent compaction, clock.
  void step();
  bool finished() const { return world_->step() >= config_.simulation.steps; }
  std::vector<double> sample_metrics() const;
  /// Substance moved in each field since the start, in field order.
  const std::vector<FieldBalance>& balances() const { return balances_; }

  /// The field solver, whose carried state a checkpoint saves and restores.
  DiffusionSolver& solver() { return *solver_; }
  const DiffusionSolver& solver() const { return *solver_; }
  /// Replaces the balances (a restart); one per field.
  void restore_balances(std::vector<FieldBalance> balances);

 private:
  Simulation(RunConfig config, std::unique_ptr<World> world);
  void run_phase(Phase phase, const StepContext& ctx);
  StepContext context() const;

  RunConfig config_;
  std::unique_ptr<World> world_;
  std::vector<std::unique_ptr<Rule>> rules_;
  std::vector<MetricDef> metrics_;
  std::unique_ptr<DiffusionSolver> solver_;
  std::vector<FieldBalance> balances_;
};

/// Rough resident memory and output size of a run, for `regensim check`.
struct RunEstimate {
  double memory_bytes = 0.0;
  double output_bytes_uncompressed = 0.0;
  std::int64_t snapshots = 0;
};
RunEstimate estimate_run(const Simulation& sim);

}  // namespace regensim::sim
