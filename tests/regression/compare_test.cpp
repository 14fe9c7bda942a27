// `regensim compare` end to end on a tiny 2D scenario: the factorial recovers a known
// answer (mean_vegf depends on paracrine secretion only, so the differentiation effect is
// exactly zero), replicates are paired, parallel and serial arms write identical bytes,
// and bad input exits 2 without touching an existing comparison.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "sim/run/process_pool.hpp"
#include "tests/regression/h5_compare.hpp"
#include "tests/test_support.hpp"

namespace regensim {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::TempDir;

const char* kArms[] = {"sham", "differentiation_only", "paracrine_only", "both"};

/// small_config (seed 7, 40 MSCs secreting VEGF, an open VEGF boundary so where the cells
/// wander matters) with a [compare] table analysing mean_vegf and n_msc.
std::string compare_config(const TempDir& dir) {
  const std::string path = dir.file("scenario.toml");
  testing::write_file(path, testing::small_config(dir.file("unused.h5")) + R"(
[compare]
sham = ["rules.injection.count=0"]
outcomes = ["mean_vegf", "n_msc"]
)");
  return path;
}

/// Runs the real executable (compare starts more of itself as child processes), with one
/// thread per run: ctest runs tests side by side, and oversubscribed OpenMP crawls.
testing::CliResult run_binary(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), REGENSIM_BINARY);
  args.insert(args.end(), {"--threads", "1"});
  const std::string log = dir.file("compare.log");
  const auto r = sim::run_processes({{args, log}}, 1);
  return {r[0].exit_code, testing::read_file(log), ""};
}

std::vector<double> doubles(const std::map<std::string, std::vector<unsigned char>>& file,
                            const std::string& path) {
  const auto& bytes = file.at(path);
  std::vector<double> v(bytes.size() / sizeof(double));
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

class Compare : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    config_ = compare_config(*dir_);
    serial_ = run_binary(*dir_, {"compare", config_, "--replicates", "3", "--jobs", "1", "-o",
                                 dir_->file("serial"), "--quiet"});
    parallel_ = run_binary(*dir_, {"compare", config_, "--replicates", "3", "--jobs", "2", "-o",
                                   dir_->file("parallel")});
  }
  static void TearDownTestSuite() { delete dir_; }
  static TempDir* dir_;
  static std::string config_;
  static testing::CliResult serial_, parallel_;
};
TempDir* Compare::dir_ = nullptr;
std::string Compare::config_;
testing::CliResult Compare::serial_, Compare::parallel_;

TEST_F(Compare, RecoversAZeroDifferentiationEffectAndAPositiveParacrineOne) {
  ASSERT_EQ(serial_.status, 0) << serial_.out;
  const auto f = testing::read_all_datasets(dir_->file("serial/compare.h5"));
  const std::string e = "/summary/mean_vegf/effects/";
  for (const char* name : {"shapley_differentiation", "differentiation_alone", "interaction"}) {
    for (const char* part : {"/mean", "/ci_low", "/ci_high"}) {
      for (const double v : doubles(f, e + name + part)) EXPECT_EQ(v, 0.0) << name << part;
    }
  }
  const auto phi_p = doubles(f, e + "shapley_paracrine/mean");
  const auto phi_p_low = doubles(f, e + "shapley_paracrine/ci_low");
  const auto phi_d = doubles(f, e + "shapley_differentiation/mean");
  const auto total = doubles(f, e + "total_benefit/mean");
  ASSERT_GT(phi_p.size(), 20u) << "one row per metrics sample (hourly over a day)";
  EXPECT_GT(phi_p.back(), 0.0);
  EXPECT_GT(phi_p_low.back(), 0.0) << "the paracrine effect is clearly non-zero";
  EXPECT_GT(doubles(f, e + "shapley_paracrine/ci_high").back(), phi_p_low.back())
      << "replicates differ (the open boundary makes positions matter), so the CI has width";
  for (std::size_t r = 0; r < total.size(); ++r) {
    EXPECT_NEAR(phi_d[r] + phi_p[r], total[r], 1e-12 * (1.0 + std::abs(total[r])));
  }
  // The summary is the mean of the paired per-replicate differences of the stored runs.
  const auto p = doubles(f, "/arms/paracrine_only/metrics/mean_vegf");
  const auto s = doubles(f, "/arms/sham/metrics/mean_vegf");
  const std::size_t rows = total.size();
  double expected = 0.0;
  for (int k = 0; k < 3; ++k) expected += (p[k * rows + rows - 1] - s[k * rows + rows - 1]) / 3.0;
  EXPECT_NEAR(doubles(f, e + "paracrine_alone/mean").back(), expected, 1e-12 * expected);
  // The sham arm has no cells (place_cells accepts count 0); the others keep their 40.
  for (const double v : doubles(f, "/arms/sham/metrics/n_msc")) EXPECT_EQ(v, 0.0);
  for (const double v : doubles(f, "/arms/both/metrics/n_msc")) EXPECT_EQ(v, 40.0);
  EXPECT_NE(serial_.out.find("shapley_differentiation"), std::string::npos) << serial_.out;
  const std::string csv = testing::read_file(dir_->file("serial/compare.csv"));
  EXPECT_NE(csv.find("mean_vegf,ng/mL,effect,shapley_differentiation,1,0,0,0,3\n"),
            std::string::npos)
      << csv;
}

TEST_F(Compare, ReplicateKOfEveryArmSharesSeedBasePlusK) {
  ASSERT_EQ(serial_.status, 0) << serial_.out;
  const auto summary = testing::read_all_datasets(dir_->file("serial/compare.h5"));
  for (const char* arm : kArms) {
    const auto& bytes = summary.at(std::string("/arms/") + arm + "/seeds");
    std::vector<std::uint64_t> seeds(bytes.size() / sizeof(std::uint64_t));
    std::memcpy(seeds.data(), bytes.data(), bytes.size());
    EXPECT_EQ(seeds, (std::vector<std::uint64_t>{7, 8, 9})) << arm;
    for (int k = 0; k < 3; ++k) {
      const auto run = testing::read_all_datasets(dir_->file("serial/runs/") + arm + "/rep" +
                                                  std::to_string(k) + ".h5");
      const std::string config(run.at("/config").begin(), run.at("/config").end());
      EXPECT_NE(config.find("seed = " + std::to_string(7 + k)), std::string::npos) << arm << k;
    }
  }
  // Common random numbers: the cells start in the same voxels in every treated arm of a
  // replicate, and elsewhere in another replicate.
  const auto x = [&](const char* arm, int k) {
    return testing::read_all_datasets(dir_->file("serial/runs/") + arm + "/rep" +
                                      std::to_string(k) + ".h5")
        .at("/agents/0/x");
  };
  EXPECT_EQ(x("differentiation_only", 1), x("both", 1));
  EXPECT_EQ(x("paracrine_only", 1), x("both", 1));
  EXPECT_NE(x("both", 0), x("both", 1));
}

TEST_F(Compare, ParallelAndSerialArmsWriteIdenticalDatasets) {
  ASSERT_EQ(serial_.status, 0) << serial_.out;
  ASSERT_EQ(parallel_.status, 0) << parallel_.out;
  EXPECT_NE(parallel_.out.find("12 of 12 runs"), std::string::npos) << parallel_.out;
  for (const char* arm : kArms) {
    for (int k = 0; k < 3; ++k) {
      const std::string file = std::string("/runs/") + arm + "/rep" + std::to_string(k) + ".h5";
      const auto a = testing::read_all_datasets(dir_->file("serial") + file);
      const auto b = testing::read_all_datasets(dir_->file("parallel") + file);
      ASSERT_GT(a.size(), 20u) << file;
      EXPECT_TRUE(a == b) << file << " differs between --jobs 1 and --jobs 2";
    }
  }
  const auto a = testing::read_all_datasets(dir_->file("serial/compare.h5"));
  const auto b = testing::read_all_datasets(dir_->file("parallel/compare.h5"));
  EXPECT_TRUE(a.at("/summary/mean_vegf/effects/shapley_paracrine/mean") ==
              b.at("/summary/mean_vegf/effects/shapley_paracrine/mean"));
}

TEST_F(Compare, BadInputExitsTwoAndLeavesAnExistingComparisonAlone) {
  ASSERT_EQ(serial_.status, 0) << serial_.out;
  const std::string done = dir_->file("serial");
  const auto before = testing::read_file(done + "/compare.h5");
  struct Case {
    std::vector<std::string> args;
    const char* expected;
  };
  const std::string no_compare = dir_->file("plain.toml");
  testing::write_file(no_compare, testing::small_config(dir_->file("unused.h5")));
  fs::create_directories(dir_->file("foreign"));
  testing::write_file(dir_->file("foreign/notes.txt"), "mine");
  const Case cases[] = {
      {{"compare", config_, "--replicates", "1", "-o", dir_->file("new")}, "at least 2"},
      {{"compare", dir_->file("missing.toml"), "-o", dir_->file("new")}, "no such config file"},
      {{"compare", no_compare, "-o", dir_->file("new")}, "sham = [\"rules.injection.count=0\"]"},
      {{"compare", config_, "--replicates", "4", "-o", done}, "holds a different comparison"},
      {{"compare", config_, "--replicates", "3", "-o", done}, "pass --overwrite"},
      {{"compare", config_, "-o", dir_->file("foreign"), "--overwrite"}, "no compare.manifest"},
      {{"compare", config_, "--set", "compare.outcomes=[\"nope\"]", "-o", dir_->file("new")},
       "metric 'nope' is not in arm"},
      {{"compare", config_, "--set", "compare.sham=[\"simulation.seed=1\"]", "-o",
        dir_->file("new")},
       "set by the comparison itself"},
  };
  for (const auto& c : cases) {
    const auto r = run_cli(c.args);
    EXPECT_EQ(r.status, 2) << c.args[1] << ": " << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir_->file("new")));
  EXPECT_EQ(testing::read_file(done + "/compare.h5"), before);
  EXPECT_EQ(testing::read_file(dir_->file("foreign/notes.txt")), "mine");
}

TEST_F(Compare, AnUnfinishedComparisonResumesWithTheRunsItLacks) {
  ASSERT_EQ(parallel_.status, 0) << parallel_.out;
  const std::string d = dir_->file("parallel");
  const auto kept = testing::read_all_datasets(d + "/runs/sham/rep0.h5");
  fs::remove(d + "/compare.h5");
  fs::remove(d + "/runs/both/rep2.h5");
  const auto r = run_binary(*dir_, {"compare", config_, "--replicates", "3", "-o", d});
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("1 of 12 runs"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(d + "/compare.h5"));
  EXPECT_TRUE(testing::read_all_datasets(d + "/runs/sham/rep0.h5") == kept);
}

TEST_F(Compare, AFailedRunExitsOneNamingItsLog) {
  ASSERT_EQ(parallel_.status, 0) << parallel_.out;
  const std::string d = dir_->file("parallel");
  fs::remove(d + "/compare.h5");
  fs::remove(d + "/runs/both/rep1.h5");
  fs::create_directory(d + "/runs/both/rep1.h5");  // the run cannot create its file
  const auto r = run_binary(*dir_, {"compare", config_, "--replicates", "3", "-o", d});
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("1 of 1 runs failed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("runs/both/rep1.log"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(d + "/compare.h5"));
  fs::remove(d + "/runs/both/rep1.h5");
}

TEST(CompareUntreated, AnUntreatedArmAddsItsRunsAndTheShamEffect) {
  const TempDir dir;
  const std::string config = dir.file("untreated.toml");
  // Untreated: no cells and a denser vessel bed than sham, so oxygen differs between them.
  testing::write_file(config, testing::small_config(dir.file("unused.h5")) + R"(
[compare]
sham = ["rules.injection.count=0"]
untreated = ["rules.injection.count=0", "rules.capillaries.spacing_um=60.0"]
outcomes = ["mean_oxygen"]
)");
  const auto r = run_binary(
      dir, {"compare", config, "--replicates", "2", "--jobs", "2", "-o", dir.file("out")});
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("10 of 10 runs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sham_minus_untreated"), std::string::npos) << r.out;
  const auto f = testing::read_all_datasets(dir.file("out/compare.h5"));
  EXPECT_TRUE(f.count("/arms/untreated/metrics/mean_oxygen"));
  const auto effect = doubles(f, "/summary/mean_oxygen/effects/sham_minus_untreated/mean");
  EXPECT_LT(effect.back(), 0.0) << "fewer vessels in sham than in untreated: less oxygen";
}

}  // namespace
}  // namespace regensim
