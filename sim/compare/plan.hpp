#pragma once
/// What one `regensim compare` runs: the arms resolved from the scenario's [compare]
/// table, validated by building every arm's simulation (so a bad override or outcome is
/// an error before any run starts), the outcomes, and the manifest that identifies the
/// comparison in its output directory.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/compare/factorial.hpp"
#include "sim/rules/registry.hpp"

namespace regensim::sim::compare {

/// The standard outcomes (design.md), analysed when [compare] lists none.
inline const std::vector<std::string> kStandardOutcomes = {"function_index", "regenerated_fraction",
                                                           "scar_fraction", "vessel_density",
                                                           "msc_survival_fraction"};
/// Provenance of regenerated tissue, shown next to the factorial split when present.
inline const std::vector<std::string> kProvenanceMetrics = {"regenerated_direct_fraction",
                                                            "regenerated_paracrine_fraction",
                                                            "regenerated_spontaneous_fraction"};

struct ComparePlan {
  std::string config_path;                  // absolute, as the child runs read it
  std::vector<std::string> user_overrides;  // --set, applied before the arms' own
  int replicates = 0;
  std::uint64_t base_seed = 0;  // replicate k runs with seed base_seed + k
  std::vector<ArmSpec> arms;
  std::vector<std::string> outcomes;
  std::vector<std::string> outcome_units;
  std::vector<std::string> provenance;  // kProvenanceMetrics present in the `both` arm
  std::string resolved_config;          // the base config after --set, defaults filled in
  /// Identifies the comparison: software, replicates, outcomes, arms and the resolved
  /// config. Two compares with equal manifests produce the same results.
  std::string manifest;

  /// Seed of replicate k.
  std::uint64_t seed(int k) const { return base_seed + static_cast<std::uint64_t>(k); }
  /// Run file of arm `arm`, replicate k, relative to the output directory.
  static std::string run_file(const std::string& arm, int k);
};

/// Reads CONFIG with the user's overrides, requires a [compare] table, builds every arm
/// (with the base seed) to validate it and finds the outcomes every arm has. Throws
/// InputError / ConfigError (exit status 2) for anything wrong with the input.
ComparePlan plan_comparison(const std::string& config_path,
                            const std::vector<std::string>& user_overrides, int replicates,
                            const RuleRegistry& registry);

/// "" when the manifests are equal, else the first line that differs, quoted.
std::string first_difference(const std::string& old_manifest, const std::string& new_manifest);

}  // namespace regensim::sim::compare
