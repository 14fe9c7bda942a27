#include "sim/compare/factorial.hpp"

#include <algorithm>
#include <cassert>
#include <stdexcept>

#include "sim/compare/statistics.hpp"

namespace regensim::sim::compare {

namespace {

void add_overrides(ArmSpec& arm, const std::vector<ArmOverride>& list) {
  for (const auto& o : list) {
    arm.overrides.push_back(o.assignment);
    arm.override_where.push_back(o.where);
  }
}

ArmSpec mechanism_arm(const char* name, bool differentiation, bool paracrine) {
  ArmSpec arm{name, {}, {}};
  arm.overrides.push_back(std::string("mechanisms.differentiation=") +
                          (differentiation ? "true" : "false"));
  arm.overrides.push_back(std::string("mechanisms.paracrine=") + (paracrine ? "true" : "false"));
  arm.override_where.assign(2, std::string("regensim compare (arm ") + name + ")");
  return arm;
}

}  // namespace

Series summarise_replicates(const std::vector<std::vector<double>>& per_replicate) {
  assert(per_replicate.size() >= 2);
  const std::size_t rows = per_replicate.front().size();
  Series s;
  s.mean.resize(rows);
  s.low.resize(rows);
  s.high.resize(rows);
  std::vector<double> sample(per_replicate.size());
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t k = 0; k < per_replicate.size(); ++k) sample[k] = per_replicate[k][r];
    const auto i = stats::mean_interval(sample);
    s.mean[r] = i.mean;
    s.low[r] = i.low;
    s.high[r] = i.high;
  }
  return s;
}

std::vector<ArmSpec> factorial_arms(const CompareParams& params) {
  std::vector<ArmSpec> arms;
  // The controls carry neither mechanism: were a host rule ever gated on a switch, it
  // would still be off in the corner of the design that stands for "no mechanism".
  if (!params.untreated.empty()) {
    arms.push_back(mechanism_arm(kUntreated, false, false));
    add_overrides(arms.back(), params.untreated);
  }
  arms.push_back(mechanism_arm(kSham, false, false));
  add_overrides(arms.back(), params.sham);
  arms.push_back(mechanism_arm(kDifferentiationOnly, true, false));
  arms.push_back(mechanism_arm(kParacrineOnly, false, true));
  arms.push_back(mechanism_arm(kBoth, true, true));
  return arms;
}

std::vector<EffectDef> factorial_effects(bool with_untreated) {
  std::vector<EffectDef> e = {
      {"total_benefit", "both - sham", {{kBoth, 1.0}, {kSham, -1.0}}},
      {"differentiation_alone",
       "differentiation_only - sham",
       {{kDifferentiationOnly, 1.0}, {kSham, -1.0}}},
      {"paracrine_alone", "paracrine_only - sham", {{kParacrineOnly, 1.0}, {kSham, -1.0}}},
      {"interaction",
       "both - differentiation_only - paracrine_only + sham",
       {{kBoth, 1.0}, {kDifferentiationOnly, -1.0}, {kParacrineOnly, -1.0}, {kSham, 1.0}}},
      {"shapley_differentiation",
       "((differentiation_only - sham) + (both - paracrine_only)) / 2",
       {{kDifferentiationOnly, 0.5}, {kSham, -0.5}, {kBoth, 0.5}, {kParacrineOnly, -0.5}}},
      {"shapley_paracrine",
       "((paracrine_only - sham) + (both - differentiation_only)) / 2",
       {{kParacrineOnly, 0.5}, {kSham, -0.5}, {kBoth, 0.5}, {kDifferentiationOnly, -0.5}}},
  };
  if (with_untreated) {
    e.push_back({"sham_minus_untreated", "sham - untreated", {{kSham, 1.0}, {kUntreated, -1.0}}});
  }
  return e;
}

std::vector<std::vector<double>> effect_per_replicate(
    const std::vector<std::vector<std::vector<double>>>& values,
    const std::vector<std::string>& arm_names, const EffectDef& effect) {
  std::vector<std::pair<std::size_t, double>> terms;
  for (const auto& [name, coefficient] : effect.terms) {
    const auto it = std::find(arm_names.begin(), arm_names.end(), name);
    if (it == arm_names.end()) throw std::logic_error("effect " + effect.name + ": no arm " + name);
    terms.emplace_back(static_cast<std::size_t>(it - arm_names.begin()), coefficient);
  }
  const std::size_t replicates = values[terms.front().first].size();
  const std::size_t rows = values[terms.front().first].front().size();
  // Formed within a replicate, so noise the arms share through the seed cancels.
  std::vector<std::vector<double>> out(replicates, std::vector<double>(rows, 0.0));
  for (std::size_t k = 0; k < replicates; ++k) {
    for (std::size_t r = 0; r < rows; ++r) {
      double v = 0.0;
      for (const auto& [arm, coefficient] : terms) v += coefficient * values[arm][k][r];
      out[k][r] = v;
    }
  }
  return out;
}

}  // namespace regensim::sim::compare
