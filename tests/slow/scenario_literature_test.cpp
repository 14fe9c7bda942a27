// The shipped cartilage, bone and tendon scenarios against the literature direction
// (docs/scenarios.md "Measured outcomes", docs/validation.md "Against the literature"),
// run as users run them: untreated (each config's `[compare] sham` entry, no cells) and
// treated, one seed, 28 days, one thread. Label `slow`: `ctest --preset release -L slow`.
// Only what the model achieves and the literature reports is asserted; targets the model
// misses are printed so the log shows them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "tests/slow/scenario_arm.hpp"

namespace regensim {
namespace {

using testing::ScenarioArm;

// The `[compare] sham` entry of all three configs.
const std::vector<std::string> kSham = {"rules.therapy.delivery.dose_cells=0"};

// First sample after cartilage has appeared where bone matrix exceeds cartilage matrix.
double day_bone_overtakes_cartilage(const ScenarioArm& a) {
  const auto& cartilage = a.metrics.at("callus_cartilage");
  const auto& bone = a.metrics.at("callus_bone");
  if (cartilage.size() != a.time_days.size() || bone.size() != a.time_days.size()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  bool seen_cartilage = false;
  for (std::size_t i = 0; i < a.time_days.size(); ++i) {
    seen_cartilage = seen_cartilage || cartilage[i] > 0.0;
    if (seen_cartilage && bone[i] > cartilage[i]) return a.time_days[i];
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double max_of(const ScenarioArm& a, const std::string& metric) {
  double m = -std::numeric_limits<double>::infinity();
  for (double v : a.metrics.at(metric)) m = std::max(m, v);
  return m;
}

/// Prints "<label> day 28 (untreated / treated): metric a / b, ...<tail>" on one line.
void print_day28(const char* label, const ScenarioArm& sham, const ScenarioArm& treated,
                 const std::vector<std::string>& metrics, const std::string& tail) {
  std::string line = std::string(label) + " day 28 (untreated / treated):";
  char buf[96];
  for (const std::string& m : metrics) {
    std::snprintf(buf, sizeof buf, " %.4g / %.4g,", sham.at_day(m, 28.0), treated.at_day(m, 28.0));
    line += " " + m + buf;
  }
  line.pop_back();
  std::printf("%s%s\n", line.c_str(), tail.c_str());
}

/// "; msc_survival_fraction day 14 ..., day 28 ..." of the treated arm.
std::string survival_tail(const ScenarioArm& treated) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "; msc_survival_fraction day 14 %.5f, day 28 %.5f",
                treated.at_day("msc_survival_fraction", 14.0),
                treated.at_day("msc_survival_fraction", 28.0));
  return buf;
}

TEST(CartilageDefect, TherapyFillsMoreOfTheDefectAsTheLiteratureReports) {
  const testing::TempDir dir;
  const std::vector<std::string> metrics = {"function_index", "defect_fill", "regenerated_fraction",
                                            "msc_survival_fraction"};
  const auto sham = testing::run_scenario_arm(dir, "cartilage_defect.toml", "sham", kSham, metrics);
  const auto treated =
      testing::run_scenario_arm(dir, "cartilage_defect.toml", "treated", {}, metrics);
  // Rabbit intra-articular MSCs: histology score 13 vs 8 (parameters.md row 27, PMC3438278;
  // docs/scenarios.md "What the numbers say"). Direction only: defect fill % is not in row 27.
  // Untreated has no hyaline-like matrix by construction (only donor cells lay it down), so
  // this asks that the graft fills some of the defect; the next line asks for more repair
  // tissue of any kind (hyaline-like or fibrocartilage), same row.
  EXPECT_GT(treated.at_day("function_index", 28.0), sham.at_day("function_index", 28.0));
  EXPECT_GT(treated.at_day("regenerated_fraction", 28.0),
            sham.at_day("regenerated_fraction", 28.0));
  print_day28("cartilage", sham, treated, {"function_index", "defect_fill", "regenerated_fraction"},
              survival_tail(treated));
}

TEST(BoneDefect, TherapyBridgesMoreAndTheTreatedGapLaysDownCallusFromWeekTwo) {
  const testing::TempDir dir;
  const std::vector<std::string> metrics = {"function_index", "callus_cartilage", "callus_bone",
                                            "vessel_density", "regenerated_fraction"};
  const auto sham = testing::run_scenario_arm(dir, "bone_defect.toml", "sham", kSham, metrics);
  const auto treated = testing::run_scenario_arm(dir, "bone_defect.toml", "treated", {}, metrics);
  // Treated bridges more: "the direction reported" (docs/scenarios.md "What the numbers
  // say"); no parameters.md row gives an MSC effect on bone bridging (row 27 has the rat
  // fracture sequence and the rabbit cartilage score only). In all of seeds 1-20, with
  // exact and with Douglas steps (docs/validation.md "Fracture sequence over seeds").
  EXPECT_GT(treated.at_day("function_index", 28.0), sham.at_day("function_index", 28.0));
  // Callus matrix (cartilage or bone) first appears in the treated gap after the first
  // week and by week 3 (row 27: cartilage by week 2, woven bone weeks 3-4); seeds 1-20:
  // days 13.25-15.75.
  const double first_cartilage = treated.first_day_above("callus_cartilage", 0.0);
  const double first_bone = treated.first_day_above("callus_bone", 0.0);
  const double first_callus = std::fmin(first_cartilage, first_bone);  // NaN only if both are
  EXPECT_GT(first_callus, 7.0);
  EXPECT_LE(first_callus, 21.0);
  // Which matrix comes first and when bone overtakes cartilage depend on the seed, so row
  // 27's order (cartilage leading through week 3, bone overtaking in week 4) is printed,
  // not asserted: seeds 1-20 show all of it in 3 (exact steps; Douglas: 4).
  const double overtakes = day_bone_overtakes_cartilage(treated);
  // The untreated fracture vascularises (rows 25, 27, qualitative; docs/validation.md "partly
  // met"): host hypoxic VEGF grows a few vessels into the gap (seeds 1-20, both solvers).
  EXPECT_GT(sham.at_day("vessel_density", 28.0), sham.at_day("vessel_density", 0.0));
  char extra[96];
  std::snprintf(extra, sizeof extra,
                "; day 7 function_index %.4f / %.4f; untreated day 0 "
                "vessel_density %.1f",
                sham.at_day("function_index", 7.0), treated.at_day("function_index", 7.0),
                sham.at_day("vessel_density", 0.0));
  print_day28("bone", sham, treated, {"function_index", "regenerated_fraction", "vessel_density"},
              extra);
  std::printf(
      "bone treated gap (target: the fracture sequence, seed-dependent): first cartilage day "
      "%.2f, first bone day %.2f, bone overtakes day %.2f\n",
      first_cartilage, first_bone, overtakes);
  for (double day : {7.0, 14.0, 21.0, 24.0, 26.0, 28.0}) {
    std::printf("  day %4.1f callus_cartilage %.5f callus_bone %.5f\n", day,
                treated.at_day("callus_cartilage", day), treated.at_day("callus_bone", day));
  }
  // Missed: row 27's cartilage phase in the untreated fracture (only donor cells lay down
  // matrix, docs/scenarios.md "Model notes"), and the amounts of callus matrix (tiny).
  std::printf(
      "bone untreated gap (target: a cartilage phase, missed): max callus_cartilage "
      "%.5f, max callus_bone %.5f\n",
      max_of(sham, "callus_cartilage"), max_of(sham, "callus_bone"));
}

TEST(TendonInjury, TherapyLeavesMoreNativeTendonAndLessScar) {
  const testing::TempDir dir;
  const std::vector<std::string> metrics = {"function_index", "scar_fraction",
                                            "regenerated_fraction", "vessel_density",
                                            "msc_survival_fraction"};
  const auto sham = testing::run_scenario_arm(dir, "tendon_injury.toml", "sham", kSham, metrics);
  const auto treated = testing::run_scenario_arm(dir, "tendon_injury.toml", "treated", {}, metrics);
  // More native-like (aligned) tendon and less scar with MSCs: the direction docs/scenarios.md
  // ("What the numbers say") reports; parameters.md has no tendon row.
  EXPECT_GT(treated.at_day("function_index", 28.0), sham.at_day("function_index", 28.0));
  EXPECT_LT(treated.at_day("scar_fraction", 28.0), sham.at_day("scar_fraction", 28.0));
  print_day28("tendon", sham, treated,
              {"function_index", "scar_fraction", "regenerated_fraction", "vessel_density"},
              survival_tail(treated));
}

}  // namespace
}  // namespace regensim
