#pragma once
/// The differentiation x paracrine factorial of `regensim compare`: its arms, the
/// effects estimated from them, and their summaries with t intervals from paired
/// replicates (docs/compare.md).
#include <string>
#include <utility>
#include <vector>

#include "sim/config/compare_params.hpp"

namespace regensim::sim::compare {

/// Arm names, in the order they are run, stored and printed.
inline constexpr const char* kUntreated = "untreated";
inline constexpr const char* kSham = "sham";
inline constexpr const char* kDifferentiationOnly = "differentiation_only";
inline constexpr const char* kParacrineOnly = "paracrine_only";
inline constexpr const char* kBoth = "both";

struct ArmSpec {
  std::string name;
  /// "key=value" overrides applied after the user's --set, in order; each arm sets both
  /// mechanism switches, so the base config's own switches never leak into an arm.
  std::vector<std::string> overrides;
  std::vector<std::string> override_where;  // where each override comes from
};

/// The arms of a scenario's comparison: untreated (when [compare] defines it), sham,
/// differentiation_only, paracrine_only, both.
std::vector<ArmSpec> factorial_arms(const CompareParams& params);

/// One effect: a fixed linear combination of arms' values, taken per replicate.
struct EffectDef {
  std::string name;
  std::string formula;                                // for the docs and the HDF5 attribute
  std::vector<std::pair<std::string, double>> terms;  // (arm name, coefficient)
};

/// The effects a comparison estimates, given its arms: total_benefit (both - sham),
/// differentiation_alone, paracrine_alone, interaction, shapley_differentiation (the
/// main effect of differentiation), shapley_paracrine; and sham_minus_untreated when
/// there is an untreated arm. The two Shapley shares add up to total_benefit.
std::vector<EffectDef> factorial_effects(bool with_untreated);

/// Mean and 95% interval over replicates, one value per metrics row.
struct Series {
  std::vector<double> mean, low, high;
};

/// The t interval over replicates (values[replicate][row]), row by row.
/// Precondition: >= 2 replicates, all with the same number of rows.
Series summarise_replicates(const std::vector<std::vector<double>>& values);

/// The effect within each replicate, [replicate][row], from values[arm][replicate][row]
/// of one metric; `arm_names` names the arms of `values`. Replicate k of every arm ran
/// with the same seed (base + k), so the effect is paired.
std::vector<std::vector<double>> effect_per_replicate(
    const std::vector<std::vector<std::vector<double>>>& values,
    const std::vector<std::string>& arm_names, const EffectDef& effect);

}  // namespace regensim::sim::compare
