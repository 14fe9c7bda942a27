#include "sim/compare/plan.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "regensim/version.hpp"
#include "sim/core/error.hpp"
#include "sim/core/format.hpp"
#include "sim/run/simulation.hpp"

namespace regensim::sim::compare {

namespace {

constexpr const char* kCompareExample =
    "add a [compare] table saying how the sham arm removes the cells, e.g.\n"
    "  [compare]\n"
    "  sham = [\"rules.injection.count=0\"]\n"
    "(docs/compare.md)";

ConfigDocument load(const ComparePlan& plan) {
  auto doc = ConfigDocument::from_file(plan.config_path);
  for (const auto& s : plan.user_overrides) doc.apply_override(s);
  return doc;
}

struct ArmCheck {
  std::vector<std::string> metric_names;
  std::vector<std::string> metric_units;
  std::int64_t steps = 0;
  std::int64_t metrics_every_steps = 0;
  double step_minutes = 0.0;
};

/// Builds one arm as its replicate 0 would run; an error names the arm.
ArmCheck check_arm(const ComparePlan& plan, const ArmSpec& arm, const RuleRegistry& registry) {
  try {
    auto doc = load(plan);
    for (const auto& o : arm.overrides) doc.apply_override(o);
    const auto sim = Simulation::build(doc, registry);
    ArmCheck c;
    for (const auto& m : sim->metrics()) {
      c.metric_names.push_back(m.name);
      c.metric_units.push_back(m.units);
    }
    c.steps = sim->config().simulation.steps;
    c.metrics_every_steps = sim->config().output.metrics_every_steps;
    c.step_minutes = sim->config().simulation.step_minutes;
    return c;
  } catch (const ConfigError& e) {
    std::string from;
    for (std::size_t i = 0; i < arm.overrides.size(); ++i) {
      from += "\n  " + arm.overrides[i] + "   (" + arm.override_where[i] + ")";
    }
    throw ConfigError("arm " + arm.name + ": " + e.what() + "\nthe arm's overrides:" + from);
  }
}

bool has(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", \"" : "\"") + items[i] + "\"";
  return out + "]";
}

}  // namespace

std::string ComparePlan::run_file(const std::string& arm, int k) {
  return "runs/" + arm + "/rep" + std::to_string(k) + ".h5";
}

ComparePlan plan_comparison(const std::string& config_path,
                            const std::vector<std::string>& user_overrides, int replicates,
                            const RuleRegistry& registry) {
  if (replicates < 2) {
    throw InputError("--replicates " + std::to_string(replicates) +
                     ": at least 2 replicates are needed for a confidence interval");
  }
  ComparePlan plan;
  std::error_code ec;
  plan.config_path = std::filesystem::absolute(config_path, ec).lexically_normal().string();
  if (ec || !std::filesystem::is_regular_file(plan.config_path)) {
    throw InputError(config_path + ": no such config file");
  }
  plan.user_overrides = user_overrides;
  plan.replicates = replicates;

  auto doc = load(plan);
  const auto base = Simulation::build(doc, registry);
  if (!base->config().compare) {
    throw InputError(config_path + ": has no [compare] table; " + kCompareExample);
  }
  const CompareParams& params = *base->config().compare;
  plan.base_seed = base->config().simulation.seed;
  plan.resolved_config = doc.to_toml();
  plan.arms = factorial_arms(params);

  std::vector<ArmCheck> checks;
  for (const auto& arm : plan.arms) checks.push_back(check_arm(plan, arm, registry));
  for (std::size_t a = 1; a < checks.size(); ++a) {
    // Effects are taken row by row, so every arm must sample metrics at the same times.
    if (checks[a].steps != checks[0].steps ||
        checks[a].metrics_every_steps != checks[0].metrics_every_steps ||
        checks[a].step_minutes != checks[0].step_minutes) {
      throw ConfigError(params.where + ": arm " + plan.arms[a].name +
                        " changes the duration, the step or the metrics cadence; every arm "
                        "must sample its metrics at the same times as arm " +
                        plan.arms[0].name);
    }
  }
  const auto in_every_arm = [&](const std::string& name) {
    return std::all_of(checks.begin(), checks.end(),
                       [&](const ArmCheck& c) { return has(c.metric_names, name); });
  };
  if (!params.outcomes.empty()) {
    for (const auto& name : params.outcomes) {
      for (std::size_t a = 0; a < checks.size(); ++a) {
        if (!has(checks[a].metric_names, name)) {
          throw ConfigError(params.outcomes_where + ": compare.outcomes: metric '" + name +
                            "' is not in arm " + plan.arms[a].name +
                            " (its metrics: " + join_names(checks[a].metric_names) + ")");
        }
      }
    }
    plan.outcomes = params.outcomes;
  } else {
    for (const auto& name : kStandardOutcomes) {
      if (in_every_arm(name)) plan.outcomes.push_back(name);
    }
    if (plan.outcomes.empty()) {
      throw ConfigError(params.where + ": the runs have none of the standard outcomes (" +
                        join_names(kStandardOutcomes) +
                        "); name the metrics to compare in compare.outcomes (metrics: " +
                        join_names(checks[0].metric_names) + ")");
    }
  }
  const ArmCheck& first = checks.front();
  for (const auto& name : plan.outcomes) {
    const auto i = static_cast<std::size_t>(
        std::find(first.metric_names.begin(), first.metric_names.end(), name) -
        first.metric_names.begin());
    plan.outcome_units.push_back(first.metric_units[i]);
  }
  for (const auto& name : kProvenanceMetrics) {
    if (has(checks.back().metric_names, name)) plan.provenance.push_back(name);
  }

  std::ostringstream m;
  m << "# regensim compare: the comparison this directory holds (written before the runs)\n"
    << "software = \"regensim " << kSoftwareVersion << " (" << kGitCommit << ")\"\n"
    << "replicates = " << plan.replicates << "\n"
    << "base_seed = " << plan.base_seed << "\n"
    << "outcomes = " << quoted_list(plan.outcomes) << "\n";
  for (const auto& arm : plan.arms)
    m << "arm." << arm.name << " = " << quoted_list(arm.overrides) << "\n";
  m << "# the base config, after --set, with defaults filled in:\n" << plan.resolved_config << "\n";
  plan.manifest = m.str();
  return plan;
}

std::string first_difference(const std::string& old_manifest, const std::string& new_manifest) {
  std::istringstream a(old_manifest), b(new_manifest);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool ha = static_cast<bool>(std::getline(a, la));
    const bool hb = static_cast<bool>(std::getline(b, lb));
    if (!ha && !hb) return "";
    if (!ha) la = "(end)";
    if (!hb) lb = "(end)";
    if (la != lb) {
      return "line " + std::to_string(line) + ": it has '" + la + "', this compare has '" + lb +
             "'";
    }
  }
}

}  // namespace regensim::sim::compare
