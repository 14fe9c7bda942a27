#pragma once
/// How rules read signals: field lookup from config keys and the Hill functions that
/// turn a local concentration into a rate (docs/model.md#signal-response).
#include <cmath>
#include <string>
#include <vector>

#include "sim/config/config_table.hpp"
#include "sim/core/world.hpp"

namespace regensim::models {

/// Index of the field named by `key`; a missing field fails at the key, listing fields.
int field_index(sim::ConfigTable& t, const std::string& key, const sim::World& world);
/// As field_index, or -1 when the key is absent (the signal is then zero everywhere).
int optional_field_index(sim::ConfigTable& t, const std::string& key, const sim::World& world);

/// Rising Hill function s^n / (K^n + s^n): 0 at s = 0, 1/2 at s = K, towards 1.
inline double hill(double s, double half_max, double n) {
  if (s <= 0.0) return 0.0;
  const double r = std::pow(s / half_max, n);
  return r / (1.0 + r);
}
/// Falling Hill function K^n / (K^n + s^n) = 1 - hill(s): 1 at s = 0 (e.g. hypoxia).
inline double hill_low(double s, double half_max, double n) {
  return 1.0 - hill(s, half_max, n);
}

/// Probability that an event with hazard `rate_per_min` happens within `dt_min`.
inline double event_probability(double rate_per_min, double dt_min) {
  return rate_per_min <= 0.0 ? 0.0 : -std::expm1(-rate_per_min * dt_min);
}

/// A rising Hill response read from config: `<prefix>_half_max` and `<prefix>_hill_n`.
struct HillParams {
  double half_max = 1.0;
  double n = 1.0;
  double operator()(double s) const { return hill(s, half_max, n); }
  double low(double s) const { return hill_low(s, half_max, n); }
  /// Reads `<prefix>_half_max` (> 0, required unless `fallback` has one) and
  /// `<prefix>_hill_n` (>= 0.1, default 1 or the fallback's).
  static HillParams read(sim::ConfigTable& t, const std::string& prefix,
                         const HillParams* fallback = nullptr);
};

}  // namespace regensim::models
