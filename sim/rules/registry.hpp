#pragma once
/// Name -> factory registry for rules, plus the metrics the models offer. The engine
/// knows that models exist, never what they are: models/register.cpp defines
/// register_models() and the executable links both libraries.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/config/config_table.hpp"
#include "sim/config/run_config.hpp"
#include "sim/core/world.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::sim {

/// What a rule factory may use while it is built: the world (to declare agent types,
/// columns, tissue layers and look up fields) and the mechanism switches.
struct RuleContext {
  World& world;
  const Mechanisms& mechanisms;
};

/// Builds one rule instance from its config table. Reads every key it takes from
/// `params` (the engine rejects the rest as unknown).
using RuleFactory = std::function<std::unique_ptr<Rule>(const std::string& instance,
                                                        ConfigTable& params, RuleContext& ctx)>;

/// Called once after setup; appends the metrics that apply to this world.
using MetricProvider = std::function<void(const World&, std::vector<MetricDef>& out)>;

class RuleRegistry {
 public:
  void add_rule(const std::string& name, const std::string& description, RuleFactory factory);
  void add_metrics(MetricProvider provider) { metric_providers_.push_back(std::move(provider)); }

  /// Builds rule `name`; an unknown name is a ConfigError at `params` listing valid names.
  std::unique_ptr<Rule> create(const std::string& name, const std::string& instance,
                               ConfigTable& params, RuleContext& ctx) const;
  bool contains(const std::string& name) const { return rules_.count(name) != 0; }
  /// Registered rule names with their descriptions, sorted by name.
  std::vector<std::pair<std::string, std::string>> rules() const;
  std::vector<MetricDef> metrics_for(const World& world) const;

 private:
  struct Entry {
    std::string description;
    RuleFactory factory;
  };
  std::map<std::string, Entry> rules_;
  std::vector<MetricProvider> metric_providers_;
};

/// The extension point: defined in models/register.cpp.
void register_models(RuleRegistry& registry);

}  // namespace regensim::sim
