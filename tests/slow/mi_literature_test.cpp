// The shipped myocardial-infarction scenario against the literature targets of
// parameters.md (validation targets 3-5), run as users run it: untreated (sham, no
// cells) and treated, one seed, 28 days. Label `slow` (about 2.5 minutes, one thread):
// `ctest --preset release -L slow`. Targets the model misses are reported in
// docs/validation.md, not asserted here.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/regression/h5_compare.hpp"
#include "tests/test_support.hpp"

namespace regensim {
namespace {

struct Arm {
  std::vector<double> time, infarct, function;
};

Arm run_arm(const testing::TempDir& dir, const std::string& name, bool treated) {
  const std::string out = dir.file(name + ".h5");
  std::vector<std::string> args = {
      "run",     std::string(REGENSIM_SOURCE_DIR) + "/configs/myocardial_infarction.toml",
      "-o",      out,
      "--quiet", "--threads",
      "1"};
  if (!treated) {
    args.push_back("--set");
    args.push_back("rules.therapy.delivery.dose_cells=0");
  }
  const auto r = testing::run_cli(args);
  EXPECT_EQ(r.status, 0) << r.err;
  Arm a;
  a.time = testing::read_doubles(out, "/metrics/time_days");
  a.infarct = testing::read_doubles(out, "/metrics/infarct_size");
  a.function = testing::read_doubles(out, "/metrics/function_index");
  return a;
}

double at_day(const Arm& a, const std::vector<double>& v, double day) {
  for (std::size_t i = 0; i < a.time.size(); ++i) {
    if (a.time[i] >= day - 1e-9) return v[i];
  }
  return v.back();
}

TEST(MyocardialInfarction, UntreatedInfarctSizeAndTherapyDirectionMatchTheLiterature) {
  const testing::TempDir dir;
  const Arm sham = run_arm(dir, "sham", false);
  const Arm treated = run_arm(dir, "treated", true);
  // Target 3: untreated rat infarct 34.5 +/- 13% of the LV (Cooper 1995, row 24).
  const double untreated = at_day(sham, sham.infarct, 28.0);
  EXPECT_GE(untreated, 0.345 - 0.13);
  EXPECT_LE(untreated, 0.345 + 0.13);
  // Target 5: a paracrine benefit within 72 h (Gnecchi 2006, row 28): a smaller infarct on
  // day 1 and more viable myocardium in the at-risk region on day 3.
  EXPECT_LT(at_day(treated, treated.infarct, 1.0), at_day(sham, sham.infarct, 1.0));
  EXPECT_GT(at_day(treated, treated.function, 3.0), at_day(sham, sham.function, 3.0));
  // Target 4 (direction only; the size is missed, docs/validation.md): therapy leaves more
  // viable myocardium on day 28 (Kanelidis 2017, row 26).
  EXPECT_GT(at_day(treated, treated.function, 28.0), at_day(sham, sham.function, 28.0));
  std::printf(
      "infarct size day 28: untreated %.4f treated %.4f; function index day 28: %.4f vs %.4f\n",
      untreated, at_day(treated, treated.infarct, 28.0), at_day(sham, sham.function, 28.0),
      at_day(treated, treated.function, 28.0));
}

}  // namespace
}  // namespace regensim
