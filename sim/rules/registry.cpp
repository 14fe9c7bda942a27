#include "sim/rules/registry.hpp"

#include <stdexcept>

#include "sim/core/error.hpp"
#include "sim/core/format.hpp"

namespace regensim::sim {

void RuleRegistry::add_rule(const std::string& name, const std::string& description,
                            RuleFactory factory) {
  if (!rules_.emplace(name, Entry{description, std::move(factory)}).second) {
    throw std::logic_error("rule '" + name + "' registered twice");
  }
}

std::unique_ptr<Rule> RuleRegistry::create(const std::string& name, const std::string& instance,
                                           ConfigTable& params, RuleContext& ctx) const {
  const auto it = rules_.find(name);
  if (it == rules_.end()) {
    std::vector<std::string> valid;
    for (const auto& [n, e] : rules_) valid.push_back(n);
    throw ConfigError(params.where("rule") + ": " + params.path() + ": unknown rule '" + name +
                      "' (valid rules: " + join_names(valid) + ")");
  }
  return it->second.factory(instance, params, ctx);
}

std::vector<std::pair<std::string, std::string>> RuleRegistry::rules() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [n, e] : rules_) out.emplace_back(n, e.description);
  return out;
}

std::vector<MetricDef> RuleRegistry::metrics_for(const World& world) const {
  std::vector<MetricDef> out;
  for (const auto& p : metric_providers_) p(world, out);
  return out;
}

}  // namespace regensim::sim
