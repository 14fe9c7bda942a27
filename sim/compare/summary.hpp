#pragma once
/// The results of a comparison: per outcome, each arm's mean with its 95% interval and
/// each effect with its paired interval, over time; the provenance fractions of the
/// `both` arm. Written to compare.h5 and compare.csv and printed as a table.
#include <ostream>
#include <string>
#include <vector>

#include "sim/compare/factorial.hpp"
#include "sim/compare/plan.hpp"
#include "sim/compare/runs.hpp"

namespace regensim::sim::compare {

struct OutcomeSummary {
  std::string name, units;
  std::vector<Series> arms;                                         // plan.arms order
  std::vector<std::vector<std::vector<double>>> effect_replicates;  // [effect][k][row]
  std::vector<Series> effects;                                      // [effect]
};

struct CompareSummary {
  std::vector<std::string> arm_names;
  std::vector<EffectDef> effects;
  std::vector<OutcomeSummary> outcomes;
  std::vector<std::string> provenance_names, provenance_units;
  std::vector<Series> provenance;  // the `both` arm's provenance metrics
};

CompareSummary summarise(const ComparePlan& plan, const CompareData& data);

/// The readable table of end-of-run results: arms, effects, the Shapley split and the
/// provenance cross-check.
void print_table(std::ostream& out, const ComparePlan& plan, const CompareData& data,
                 const CompareSummary& summary);

}  // namespace regensim::sim::compare
