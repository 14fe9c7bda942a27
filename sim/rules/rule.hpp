#pragma once
/// The one interface between the engine and the biology. A rule takes part in the
/// phases it declares and is applied to whole arrays of agents or voxels per phase.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "sim/core/world.hpp"

namespace regensim::sim {

/// Phases of one cell step, run in this order by the engine; Setup runs once, before
/// the first step. After Secrete the engine solves the fields, then compacts agents.
enum class Phase : std::uint8_t { Setup = 0, Sense, Decide, Act, Secrete };
inline constexpr int kPhaseCount = 5;
inline constexpr const char* kPhaseNames[kPhaseCount] = {"setup", "sense", "decide", "act",
                                                         "secrete"};

/// A set of phases, as a bit mask.
class PhaseSet {
 public:
  constexpr PhaseSet(std::initializer_list<Phase> phases) {
    for (Phase p : phases) bits_ |= bit(p);
  }
  constexpr bool contains(Phase p) const { return (bits_ & bit(p)) != 0; }

 private:
  static constexpr std::uint8_t bit(Phase p) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(p));
  }
  std::uint8_t bits_ = 0;
};

/// One scalar time series in /metrics.
struct MetricDef {
  std::string name;
  std::string units;
  std::function<double(const World&)> compute;
};

/// What a rule knows about the current step. `step` counts from 0; Setup sees step 0.
struct StepContext {
  std::int64_t step = 0;
  double time_min = 0.0;
  double dt_min = 0.0;
  std::uint64_t seed = 0;
};

class Rule {
 public:
  virtual ~Rule() = default;
  /// The instance name from the config (e.g. "injection").
  virtual const std::string& name() const = 0;
  virtual PhaseSet phases() const = 0;
  /// Applies the rule for one phase to the whole world. May use OpenMP inside; must give
  /// the same result for any thread count (keyed random numbers, deterministic commits).
  virtual void apply(Phase phase, World& world, const StepContext& ctx) = 0;
  /// Metrics this rule instance offers, defined by its parameters (e.g. a scenario's
  /// function index); appended after the registry's metrics. Called once after setup.
  virtual std::vector<MetricDef> metrics(const World& /*world*/) const { return {}; }
};

/// Convenience base holding the instance name.
class NamedRule : public Rule {
 public:
  explicit NamedRule(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }

 private:
  std::string name_;
};

}  // namespace regensim::sim
