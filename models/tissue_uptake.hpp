#pragma once
/// Secrete-phase rule: tissue (not cells) takes up a field, e.g. the oxygen used by
/// viable myocardium (docs/model.md#tissue-uptake). In every voxel of the listed tissue
/// kinds, dc/dt = -k * (sum of the listed fraction layers) * c.
#include <string>
#include <vector>

#include "sim/config/config_table.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models {

struct TissueUptakeParams {
  int field = -1;
  std::vector<std::string> layers;  // fraction layers that consume
  std::vector<int> tissue_kinds;    // kTissueKindNames indices; empty: all
  double uptake_per_min = 0.0;      // k for a voxel full of consuming tissue
  static TissueUptakeParams read(sim::ConfigTable& t, sim::World& world);
};

class TissueUptake final : public sim::NamedRule {
 public:
  TissueUptake(std::string name, TissueUptakeParams params);
  sim::PhaseSet phases() const override { return {sim::Phase::Secrete}; }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;

 private:
  TissueUptakeParams p_;
};

}  // namespace regensim::models
