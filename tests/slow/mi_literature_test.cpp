// The shipped myocardial-infarction scenario against the literature targets of
// parameters.md (validation targets 3-5), run as users run it: untreated (sham, no
// cells) and treated, one seed, 28 days, plus the untreated healing timeline (row 25).
// Label `slow` (about 110 s, one thread): `ctest --preset release -L slow`.
// Targets the model misses are reported in docs/validation.md, not asserted here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/slow/scenario_arm.hpp"

namespace regensim {
namespace {

const std::vector<std::string> kMetrics = {"infarct_size", "function_index", "scar_fraction",
                                           "n_macrophage", "mean_inflammation"};

// Voxels of the injury region (core + border) and of the whole section, from the injury
// layer of the run's snapshots (the same in every snapshot).
struct Section {
  double injury_voxels = 0.0;
  double voxels = 0.0;
};

Section section_of(const std::string& h5) {
  const auto injury = testing::read_doubles(h5, "/tissue/injury");
  const auto snapshots = static_cast<double>(testing::read_doubles(h5, "/time_days").size());
  EXPECT_GT(snapshots, 0.0) << h5;
  Section s;
  for (const double c : injury) s.injury_voxels += c != 0.0 ? 1.0 : 0.0;
  s.injury_voxels /= snapshots;
  s.voxels = static_cast<double>(injury.size()) / snapshots;
  return s;
}

TEST(MyocardialInfarction, InfarctSizeHealingTimelineAndTherapyDirectionMatchTheLiterature) {
  const testing::TempDir dir;
  const std::string config = "myocardial_infarction.toml";
  const auto sham = testing::run_scenario_arm(dir, config, "sham",
                                              {"rules.therapy.delivery.dose_cells=0"}, kMetrics);
  const auto treated = testing::run_scenario_arm(dir, config, "treated", {}, kMetrics);
  // Target 3: untreated rat infarct 34.5 +/- 13% of the LV (Cooper 1995, row 24).
  const double untreated = sham.at_day("infarct_size", 28.0);
  EXPECT_GE(untreated, 0.345 - 0.13);
  EXPECT_LE(untreated, 0.345 + 0.13);
  // Target 5: a paracrine benefit within 72 h (Gnecchi 2006, row 28): a smaller infarct on
  // day 1 and more viable myocardium in the at-risk region on day 3.
  EXPECT_LT(treated.at_day("infarct_size", 1.0), sham.at_day("infarct_size", 1.0));
  EXPECT_GT(treated.at_day("function_index", 3.0), sham.at_day("function_index", 3.0));
  // Target 4 (direction only; the size is missed, docs/validation.md): therapy leaves more
  // viable myocardium on day 28 (Kanelidis 2017, row 26) and less scar (POSEIDON -33%,
  // Hare 2012, row 26).
  EXPECT_GT(treated.at_day("function_index", 28.0), sham.at_day("function_index", 28.0));
  EXPECT_LT(treated.at_day("scar_fraction", 28.0), sham.at_day("scar_fraction", 28.0));

  // The healing timeline of row 25 (Frangogiannis) and the issue: an inflammatory phase of
  // days, then collagen replaces the infarct in weeks 2-4. Untreated arm: macrophages
  // peak within the first ten days and have largely gone by day 28 ...
  const auto& macrophages = sham.metrics.at("n_macrophage");
  ASSERT_EQ(macrophages.size(), sham.time_days.size());
  const auto peak = std::max_element(macrophages.begin(), macrophages.end());
  const double peak_day = sham.time_days[static_cast<std::size_t>(peak - macrophages.begin())];
  EXPECT_GE(peak_day, 2.0);
  EXPECT_LE(peak_day, 10.0);
  EXPECT_LT(macrophages.back(), 0.4 * *peak);
  // ... the debris signal is down to a tenth of its peak by day 14 ...
  const auto& inflammation = sham.metrics.at("mean_inflammation");
  const double inflammation_peak = *std::max_element(inflammation.begin(), inflammation.end());
  EXPECT_LT(sham.at_day("mean_inflammation", 14.0), 0.1 * inflammation_peak);
  // ... and by day 28 scar covers at least half the infarct's area (row 24's infarct
  // size is measured on the scar).
  const Section section = section_of(dir.file("sham.h5"));
  const double scar_voxels = sham.at_day("scar_fraction", 28.0) * section.injury_voxels;
  const double infarct_voxels = untreated * section.voxels;
  EXPECT_GE(scar_voxels, 0.5 * infarct_voxels);

  std::printf(
      "infarct size day 28: untreated %.4f treated %.4f; function index day 28: %.4f vs %.4f; "
      "scar day 28: %.4f vs %.4f (untreated %.0f scar voxels, infarct %.0f); macrophages peak "
      "%.0f on day %.1f, %.0f on day 28\n",
      untreated, treated.at_day("infarct_size", 28.0), sham.at_day("function_index", 28.0),
      treated.at_day("function_index", 28.0), sham.at_day("scar_fraction", 28.0),
      treated.at_day("scar_fraction", 28.0), scar_voxels, infarct_voxels, *peak, peak_day,
      macrophages.back());
}

}  // namespace
}  // namespace regensim
