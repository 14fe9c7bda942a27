#pragma once
/// The optional [compare] table: how `regensim compare` turns a scenario into the arms
/// of its differentiation x paracrine factorial (docs/compare.md). Read and validated
/// with the rest of the config, so `regensim run` and `check` accept and check it too.
#include <string>
#include <vector>

#include "sim/config/config_table.hpp"

namespace regensim::sim {

/// One `--set` override of an arm: "dotted.key=value" and where it was written.
struct ArmOverride {
  std::string assignment;
  std::string where;  // "file:line" of the list, or "--set compare.<arm>"
};

struct CompareParams {
  /// Overrides that remove the cells (the sham arm, the corner without either
  /// mechanism). Required and non-empty: only the scenario knows how its cells arrive.
  std::vector<ArmOverride> sham;
  /// Overrides of an untreated control distinct from sham (e.g. no procedure at all);
  /// empty when the scenario has none.
  std::vector<ArmOverride> untreated;
  /// Metric names to analyse; empty means the standard outcomes the run has.
  std::vector<std::string> outcomes;
  std::string where;           // where `sham` is, for errors found after the arms are built
  std::string outcomes_where;  // where `outcomes` is
};

/// Reads the [compare] table `t`: `sham` (strings "key=value"), optional `untreated`,
/// optional `outcomes`. An override may not set what the comparison itself varies
/// (mechanisms.differentiation, mechanisms.paracrine, simulation.seed, output.file, or
/// compare.*). Throws ConfigError naming file, line and key.
CompareParams read_compare_params(ConfigTable& t);

}  // namespace regensim::sim
