#pragma once
// One arm of a shipped scenario, run as users run it (the `regensim run` CLI, in process,
// one thread), and the /metrics time series it wrote. Shared by the `slow` literature tests.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "tests/regression/h5_compare.hpp"
#include "tests/test_support.hpp"

namespace regensim::testing {

/// The metrics of one finished run: /metrics/time_days and the datasets asked for.
struct ScenarioArm {
  std::string name;
  std::vector<double> time_days;
  std::map<std::string, std::vector<double>> metrics;

  /// Value of `metric` at the first sample at or after `day` (the last sample if the run
  /// is shorter). NaN, and a test failure, if the metric was not read or has the wrong
  /// length, so a comparison with it fails instead of passing on garbage.
  double at_day(const std::string& metric, double day) const {
    const auto it = metrics.find(metric);
    if (it == metrics.end() || it->second.size() != time_days.size() || time_days.empty()) {
      ADD_FAILURE() << name << ": /metrics/" << metric << " missing or not " << time_days.size()
                    << " samples long";
      return std::numeric_limits<double>::quiet_NaN();
    }
    for (std::size_t i = 0; i < time_days.size(); ++i) {
      if (time_days[i] >= day - 1e-9) return it->second[i];
    }
    return it->second.back();
  }

  /// Day of the first sample where `metric` exceeds `threshold`; NaN if it never does.
  double first_day_above(const std::string& metric, double threshold) const {
    const auto it = metrics.find(metric);
    if (it == metrics.end() || it->second.size() != time_days.size()) {
      ADD_FAILURE() << name << ": /metrics/" << metric << " missing or of the wrong length";
      return std::numeric_limits<double>::quiet_NaN();
    }
    for (std::size_t i = 0; i < time_days.size(); ++i) {
      if (it->second[i] > threshold) return time_days[i];
    }
    return std::numeric_limits<double>::quiet_NaN();
  }
};

/// Runs `configs/<config>` with `--threads 1 --quiet` and the `--set` overrides (e.g. a
/// scenario's `[compare] sham` entry), writing `<name>.h5` into `dir`, then reads
/// /metrics/time_days and each of `metrics`. A failed run or a missing dataset fails the
/// test (the arm then comes back with empty series).
inline ScenarioArm run_scenario_arm(const TempDir& dir, const std::string& config,
                                    const std::string& name,
                                    const std::vector<std::string>& overrides,
                                    const std::vector<std::string>& metrics) {
  const std::string out = dir.file(name + ".h5");
  std::vector<std::string> args = {
      "run",     std::string(REGENSIM_SOURCE_DIR) + "/configs/" + config,
      "-o",      out,
      "--quiet", "--threads",
      "1"};
  for (const auto& o : overrides) {
    args.push_back("--set");
    args.push_back(o);
  }
  const auto r = run_cli(args);
  EXPECT_EQ(r.status, 0) << config << " (" << name << "): " << r.err;
  ScenarioArm arm;
  arm.name = name;
  arm.time_days = read_doubles(out, "/metrics/time_days");
  EXPECT_FALSE(arm.time_days.empty()) << out << ": no /metrics/time_days";
  for (const auto& m : metrics) {
    arm.metrics[m] = read_doubles(out, "/metrics/" + m);
    EXPECT_EQ(arm.metrics[m].size(), arm.time_days.size()) << out << ": /metrics/" << m;
  }
  return arm;
}

}  // namespace regensim::testing
