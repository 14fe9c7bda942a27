// MSC retention after a local injection with the default parameters (bone-marrow
// preset, autologous), against the sourced ranges of parameters.md (row 16, validation
// target 2): 10-25% of injected cells at the site at 1 h, and almost none (near-zero
// luciferase signal) by 3 weeks. The graft sits in injured tissue: pO2 8 mmHg
// (hypoxic response threshold, row 2) and a moderate inflammatory signal.
#include <gtest/gtest.h>

#include "tests/models/msc_test_support.hpp"

namespace regensim {
namespace {

double survival_fraction(const sim::Simulation& s) {
  const auto values = s.sample_metrics();
  for (std::size_t i = 0; i < s.metrics().size(); ++i) {
    if (s.metrics()[i].name == "msc_survival_fraction") return values[i];
  }
  ADD_FAILURE() << "no msc_survival_fraction metric";
  return -1.0;
}

TEST(MscRetention, DefaultLocalInjectionFallsAsTheLiteratureReports) {
  testing::MscWorld w;
  w.n = 80;
  w.oxygen = 8.0;
  w.inflammation = 0.5;
  w.days = 21.0;
  // Defaults everywhere except the dose: 1e6 cells into a block that represents 0.2%.
  w.tables =
      "[rules.therapy.delivery]\ndose_cells = 1.0e6\nrepresented_fraction = 0.002\n"
      "radius_um = 500.0\ndays = [0.0]\n";
  auto s = testing::build(w.toml());
  s->step();
  s->step();  // 1 hour
  const double at_1h = survival_fraction(*s);
  EXPECT_GE(at_1h, 0.10) << "row 16: 10-23% retained at 1 h";
  EXPECT_LE(at_1h, 0.25) << "row 16: 10-23% retained at 1 h";
  std::vector<double> daily;
  while (!s->finished()) {
    s->step();
    if (s->world().step() % 48 == 0) daily.push_back(survival_fraction(*s));
  }
  ASSERT_EQ(daily.size(), 21u);
  EXPECT_GT(daily[2], 0.01) << "cells are still there on day 3";
  EXPECT_LT(daily[13], daily[2]) << "the graft shrinks";
  EXPECT_LT(daily[20], 0.02) << "row 16: MSC signal gone by about 3 weeks";
  for (std::size_t d = 0; d < daily.size(); ++d) {
    RecordProperty("day_" + std::to_string(d + 1), std::to_string(daily[d]));
  }
  std::printf("msc_survival_fraction at 1 h %.3f; days 1, 3, 7, 14, 21: %.4f %.4f %.4f %.4f %.4f\n",
              at_1h, daily[0], daily[2], daily[6], daily[13], daily[20]);
}

}  // namespace
}  // namespace regensim
