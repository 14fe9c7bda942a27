#pragma once
/// Reads the metric time series of a comparison's run files back for analysis.
#include <string>
#include <vector>

#include "sim/compare/plan.hpp"

namespace regensim::sim::compare {

struct ArmData {
  std::vector<std::string> metric_names;  // as in the run files, in their order
  std::vector<std::string> metric_units;
  /// values[metric][replicate][row]
  std::vector<std::vector<std::vector<double>>> values;

  /// values of metric `name` ([replicate][row]); IoError if the runs lack it.
  const std::vector<std::vector<double>>& metric(const std::string& name) const;
};

struct CompareData {
  std::vector<double> time_days;  // the metrics rows, the same in every run
  std::vector<ArmData> arms;      // in plan order
};

/// True when `path` is a regensim file whose status is "complete" (a run to keep when a
/// comparison is resumed); false for a missing, partial or unreadable file.
bool run_complete(const std::string& path);

/// Reads every arm x replicate file of `plan` under `dir`. Throws IoError when a file is
/// unreadable, incomplete, or its metrics rows or names differ from the others'.
CompareData read_runs(const ComparePlan& plan, const std::string& dir);

}  // namespace regensim::sim::compare
