// Small scenarios against stored summaries: the final value of every metric. A change
// to any number the model produces fails here until the summary is regenerated on
// purpose (REGENSIM_UPDATE_SUMMARIES=1) and the diff is reviewed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>

#include "tests/regression/h5_compare.hpp"
#include "tests/test_support.hpp"

namespace regensim {
namespace {

std::map<std::string, double> final_metrics(const std::string& h5) {
  std::map<std::string, double> out;
  for (const auto& [path, bytes] : testing::read_all_datasets(h5)) {
    if (path.rfind("/metrics/", 0) != 0 || bytes.size() < sizeof(double)) continue;
    double v = 0.0;
    std::memcpy(&v, bytes.data() + bytes.size() - sizeof(double), sizeof(double));
    out[path.substr(9)] = v;
  }
  return out;
}

void check_against_summary(const std::string& name, const std::vector<std::string>& overrides) {
  const testing::TempDir dir;
  const std::string config = dir.file("c.toml");
  testing::write_file(config, testing::small_config(dir.file("out.h5"), 6));
  std::vector<std::string> args = {"run", config, "--quiet"};
  for (const auto& o : overrides) {
    args.push_back("--set");
    args.push_back(o);
  }
  const auto r = testing::run_cli(args);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto metrics = final_metrics(dir.file("out.h5"));
  ASSERT_GT(metrics.size(), 5u);

  const std::string stored =
      std::string(REGENSIM_SOURCE_DIR) + "/tests/regression/data/" + name + ".txt";
  if (std::getenv("REGENSIM_UPDATE_SUMMARIES") != nullptr) {
    std::ofstream out(stored);
    out.precision(17);
    for (const auto& [k, v] : metrics) out << k << " " << v << "\n";
    GTEST_SKIP() << "wrote " << stored;
  }
  std::ifstream in(stored);
  ASSERT_TRUE(in) << "no stored summary " << stored
                  << " (run once with REGENSIM_UPDATE_SUMMARIES=1)";
  std::map<std::string, double> expected;
  std::string key;
  double value = 0.0;
  while (in >> key >> value) expected[key] = value;
  ASSERT_EQ(expected.size(), metrics.size()) << "the set of metrics changed";
  for (const auto& [k, v] : expected) {
    ASSERT_TRUE(metrics.count(k)) << k;
    // Bit-identical on one toolchain; the tolerance only absorbs compiler differences.
    EXPECT_NEAR(metrics.at(k), v, 1e-6 * std::max(1.0, std::abs(v))) << k;
  }
}

TEST(ScenarioSummary, SmallBlockWithTherapy) {
  check_against_summary("small_block", {});
}

TEST(ScenarioSummary, SmallBlockWithoutParacrine) {
  check_against_summary("small_block_no_paracrine", {"mechanisms.paracrine=false"});
}

}  // namespace
}  // namespace regensim
