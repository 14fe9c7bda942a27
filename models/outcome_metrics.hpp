#pragma once
/// Outcome metrics over the injury region (voxels whose `injury` code is core or
/// border; docs/model.md#outcomes): how much tissue regenerated and by which route, how
/// much became scar, and a scenario's function index.
#include <string>
#include <utility>
#include <vector>

#include "sim/config/config_table.hpp"
#include "sim/rules/registry.hpp"

namespace regensim::models {

/// regenerated_fraction, regenerated_{direct,paracrine,spontaneous}_fraction and
/// scar_fraction, when the world has tissue layers. The three provenance fractions sum to
/// regenerated_fraction: each is a volume of regenerated tissue per injury-region voxel.
void add_outcome_metrics(const sim::World& world, std::vector<sim::MetricDef>& out);

/// A scenario's function index: over the region (injury core, core and border, or the
/// whole lattice), the mean of sum_l w_l * layer_l per voxel; with a threshold, the share
/// of region voxels where that sum reaches it; with `complement`, one minus that. The
/// metric is named `metric` (default function_index), so one scenario can offer more
/// region indices, e.g. infarct_size.
struct FunctionIndexParams {
  enum class Region { Injury, Core, All } region = Region::Injury;
  std::string metric = "function_index";
  bool complement = false;
  std::vector<std::pair<std::string, double>> weights;  // fraction layer -> weight
  double threshold = 0.0;                               // 0: mean instead of share
  std::string description;
  static FunctionIndexParams read(sim::ConfigTable& t, sim::World& world);
};

class FunctionIndex final : public sim::NamedRule {
 public:
  FunctionIndex(std::string name, FunctionIndexParams params);
  sim::PhaseSet phases() const override { return {}; }
  void apply(sim::Phase, sim::World&, const sim::StepContext&) override {}
  std::vector<sim::MetricDef> metrics(const sim::World& world) const override;
  /// The index of a world now.
  double evaluate(const sim::World& world) const;

 private:
  FunctionIndexParams p_;
};

}  // namespace regensim::models
