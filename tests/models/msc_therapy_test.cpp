// The MSC therapy rule on small uniform worlds: survival, proliferation and
// differentiation rates match their formulas within binomial error, fates follow the
// signals, the mechanism switches switch, and delivery places what its scaling says.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

#include "models/cell_types.hpp"
#include "models/msc_fate.hpp"
#include "tests/models/msc_test_support.hpp"

namespace regensim::models {
namespace {

using testing::build;
using testing::MscWorld;

constexpr double kStepsPerDay = 48.0;  // 30-minute steps

/// A world full of `count` delivered cells (no losses at delivery) that neither divide
/// nor (unless the test says) differentiate.
MscWorld packed(int count, int n = 60) {
  MscWorld w;
  w.n = n;
  w.therapy = "viability = 1.0\n";
  w.tables = "[rules.therapy.delivery]\ndose_cells = " + std::to_string(count) +
             "\nretention_1h = 1.0\nradius_um = 1.0e5\ndays = [0.0]\n\n"
             "[rules.therapy.proliferation]\nin_vivo_fraction = 0.0\n\n";
  w.mechanisms = "differentiation = false\nparacrine = false\n";
  return w;
}

std::size_t count_type(const sim::World& w, const char* type) {
  const auto code = w.agent_type(type);
  const auto& t = w.agents().types();
  return static_cast<std::size_t>(std::count(t.begin(), t.end(), code));
}

void run_days(sim::Simulation& s, double days) {
  for (int i = 0; i < static_cast<int>(days * kStepsPerDay); ++i) s.step();
}

/// |observed - n p| within 4 binomial standard deviations.
void expect_binomial(double observed, double n, double p, const char* what) {
  const double sd = std::sqrt(n * p * (1.0 - p));
  EXPECT_NEAR(observed, n * p, 4.0 * sd + 1.0) << what << ": expected p = " << p;
}

double survival_hazard(double o2, double extra) {
  return 0.12 + 0.6 * 25.0 / (25.0 + o2 * o2) + extra;  // bone-marrow preset defaults
}

TEST(MscSurvival, DeathRateMatchesTheHazardAtEachOxygenLevel) {
  for (const double o2 : {38.0, 2.0}) {
    MscWorld w = packed(2000);
    w.oxygen = o2;
    auto s = build(w.toml());
    ASSERT_EQ(s->world().agents().size(), 2000u);
    run_days(*s, 4.0);
    const double p = std::exp(-4.0 * survival_hazard(o2, 0.0));
    expect_binomial(static_cast<double>(s->world().agents().size()), 2000, p, "survivors");
    // The metric divides survivors by the cells injected.
    const auto values = s->sample_metrics();
    for (std::size_t i = 0; i < s->metrics().size(); ++i) {
      if (s->metrics()[i].name == "msc_survival_fraction") {
        EXPECT_DOUBLE_EQ(values[i], static_cast<double>(s->world().agents().size()) / 2000.0);
      }
    }
  }
}

TEST(MscSurvival, AllogeneicCellsAreClearedFasterAndTrophicFactorProtects) {
  MscWorld w = packed(2000);
  w.therapy += "donor = \"allogeneic\"\n";
  auto allo = build(w.toml());
  run_days(*allo, 4.0);
  expect_binomial(static_cast<double>(allo->world().agents().size()), 2000,
                  std::exp(-4.0 * survival_hazard(38.0, 0.15)), "allogeneic survivors");

  MscWorld protected_world = packed(2000);
  protected_world.tables += "[rules.therapy.survival]\ntrophic_half_max = 1.0\n";
  protected_world.therapy += "";
  auto doc = protected_world.toml();
  // A uniform trophic factor at its half-max removes a quarter of the hazard (0.5 * 0.5).
  doc.replace(doc.find("[fields.trophic]"), 0, "");
  const auto pos = doc.find("initial_value", doc.find("[fields.trophic]"));
  doc.replace(pos, doc.find('\n', pos) - pos, "initial_value = 1.0");
  auto s = build(doc);
  run_days(*s, 4.0);
  expect_binomial(static_cast<double>(s->world().agents().size()), 2000,
                  std::exp(-4.0 * 0.75 * survival_hazard(38.0, 0.0)), "protected survivors");
}

TEST(MscProliferation, BirthDeathPopulationFollowsItsOde) {
  // A sparse population (2% of voxels) is close to well mixed: contact inhibition rarely
  // binds, so N(t) follows the discrete-time birth-death expectation.
  MscWorld w = packed(800, 200);
  w.tables =
      "[rules.therapy.delivery]\ndose_cells = 800\nretention_1h = 1.0\n"
      "radius_um = 1.0e5\ndays = [0.0]\n";
  auto s = build(w.toml());
  const double b = std::log(2.0) / (34.0 / 24.0) * 0.1 * (38.0 * 38.0 / (25.0 + 38.0 * 38.0));
  const double d = survival_hazard(38.0, 0.0);
  const double dt = 1.0 / kStepsPerDay;
  // Per step a cell survives with e^{-d dt}, then divides with 1 - e^{-b dt}.
  const double growth = std::exp(-d * dt) * (2.0 - std::exp(-b * dt));
  const double days = 6.0;
  run_days(*s, days);
  const double expected = 800.0 * std::pow(growth, days * kStepsPerDay);
  const double r = b - d;
  const double var = 800.0 * (b + d) / r * std::exp(r * days) * (std::exp(r * days) - 1.0);
  EXPECT_NEAR(static_cast<double>(s->world().agents().size()), expected,
              4.0 * std::sqrt(std::abs(var)));
}

TEST(MscProliferation, NeedsAFreeNeighbour) {
  // A lattice packed full: nobody can divide, so the count can only fall.
  MscWorld w = packed(100, 10);
  w.tables =
      "[rules.therapy.delivery]\ndose_cells = 100\nretention_1h = 1.0\n"
      "radius_um = 1.0e5\ndays = [0.0]\n[rules.therapy.proliferation]\n"
      "in_vivo_fraction = 1.0\n[rules.therapy.survival]\ndeath_per_day = 0.0\n"
      "hypoxia_death_per_day = 0.0\n";
  auto s = build(w.toml());
  run_days(*s, 2.0);
  EXPECT_EQ(s->world().agents().size(), 100u);
}

/// Cells that never die and commit fast, for fate tests.
MscWorld fate_world(double o2, double tgfb, double bmp2) {
  MscWorld w = packed(1000);
  w.oxygen = o2;
  w.tgfb = tgfb;
  w.bmp2 = bmp2;
  w.mechanisms = "differentiation = true\nparacrine = false\n";
  w.tables +=
      "[rules.therapy.survival]\ndeath_per_day = 0.0\nhypoxia_death_per_day = 0.0\n\n"
      "[rules.therapy.differentiation]\nmin_age_days = 0.0\nmax_rate_per_day = 1.0\n"
      "chondrocyte_delay_days = 0.5\nosteoblast_delay_days = 0.5\n";
  return w;
}

TEST(MscDifferentiation, TgfBetaWithLowOxygenGivesChondrocytesNotOsteoblasts) {
  auto s = build(fate_world(3.0, 10.0, 10.0).toml());
  run_days(*s, 3.0);
  const auto chondro = count_type(s->world(), "chondrocyte");
  const auto osteo = count_type(s->world(), "osteoblast");
  EXPECT_GT(chondro, 500u);
  EXPECT_LT(osteo * 10, chondro);
}

TEST(MscDifferentiation, BmpWithHighOxygenGivesOsteoblastsAtTheirRate) {
  auto s = build(fate_world(38.0, 0.0, 1.0).toml());
  const double days = 1.0;
  run_days(*s, days);
  EXPECT_EQ(count_type(s->world(), "chondrocyte"), 0u);  // no TGF-beta: rate exactly 0
  // Committed (fate set) or already osteoblast: 1 - exp(-k t) of the cells.
  const auto& a = s->world().agents();
  const auto& fate = a.column(a.column_index("fate"));
  double committed = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    committed += (fate[i] >= 0.0f || a.types()[i] == s->world().agent_type("osteoblast")) ? 1 : 0;
  }
  const double k = 1.0 * 1.5 * 0.5 * (38.0 * 38.0 / (225.0 + 38.0 * 38.0));
  expect_binomial(committed, 1000, 1.0 - std::exp(-k * days), "committed");
}

TEST(MscDifferentiation, SwitchedOffNoCellChangesType) {
  MscWorld w = fate_world(3.0, 10.0, 10.0);
  w.mechanisms = "differentiation = false\nparacrine = false\n";
  auto s = build(w.toml());
  run_days(*s, 3.0);
  EXPECT_EQ(count_type(s->world(), "msc"), 1000u);
}

TEST(MscSecretion, ParacrineSecretionConservesMassAndSwitchesOff) {
  for (const bool on : {true, false}) {
    MscWorld w = packed(500);
    w.mechanisms =
        std::string("differentiation = false\nparacrine = ") + (on ? "true" : "false") + "\n";
    w.tables +=
        "[rules.therapy.survival]\ndeath_per_day = 0.0\nhypoxia_death_per_day = 0.0\n"
        "[rules.therapy.secretion.trophic]\nfield = \"trophic\"\nrate_per_min = 0.01\n";
    auto s = build(w.toml());
    run_days(*s, 1.0);
    const auto& f = s->world().field("trophic");
    double total = 0.0;
    for (const float v : f.values()) total += v;
    // No decay, no flux out: every secreted unit stays. 500 cells x 0.01 x 1440 min.
    EXPECT_NEAR(total, on ? 500 * 0.01 * 1440.0 : 0.0, 1e-3 * 7200.0);
  }
}

TEST(MscDelivery, DoseScalingAndScheduleArePrinted) {
  MscWorld w = packed(0);
  w.therapy = "viability = 0.8\n";
  w.tables =
      "[rules.therapy.delivery]\ndose_cells = 1.0e6\nrepresented_fraction = 0.001\n"
      "cells_per_agent = 2.0\nretention_1h = 0.25\nradius_um = 300.0\ndays = [0.0, 1.0]\n";
  auto s = build(w.toml());
  // 1e6 * 0.001 / 2 = 500 injected; x 0.8 x 0.25 = 100 placed.
  EXPECT_EQ(s->world().agents().size(), 100u);
  EXPECT_DOUBLE_EQ(s->world().counters().at("msc_injected"), 500.0);
  ASSERT_EQ(s->world().notes().size(), 1u);
  EXPECT_NE(s->world().notes()[0].find("= 100 placed per dose"), std::string::npos);
  for (int i = 0; i < 48; ++i) s->step();
  const auto before = s->world().agents().size();
  s->step();  // step 48 = day 1: the second dose arrives
  EXPECT_GE(s->world().agents().size(), before + 95);
  EXPECT_DOUBLE_EQ(s->world().counters().at("msc_injected"), 1000.0);
}

TEST(MscDelivery, IntravenousCellsEnterNextToVessels) {
  MscWorld w = packed(0);
  w.tables =
      "[rules.vessels]\nrule = \"vessel_network\"\nspacing_um = 200.0\n"
      "[rules.therapy.delivery]\nroute = \"intravenous\"\ndose_cells = 1.0e4\n"
      "days = [0.0]\n";
  std::string toml = w.toml();
  toml.replace(toml.find("order = [\"tissue\""), 17, "order = [\"vessels\", \"tissue\"");
  auto s = build(toml);
  const auto& a = s->world().agents();
  EXPECT_EQ(a.size(), static_cast<std::size_t>(std::llround(1.0e4 * 0.008)));
  const auto& vessel = s->world().tissue().find("vessel")->classes;
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::array<sim::VoxelIndex, 6> nb{};
    const int c = s->world().lattice().von_neumann(a.voxels()[i], nb);
    bool next_to_vessel = false;
    for (int j = 0; j < c; ++j) next_to_vessel = next_to_vessel || vessel[nb[j]] != 0;
    EXPECT_TRUE(next_to_vessel);
  }
}

TEST(MscTherapy, OneAndTwoThreadsGiveTheSameCells) {
  MscWorld w = fate_world(10.0, 1.0, 1.0);
  w.tables =
      "[rules.therapy.delivery]\ndose_cells = 600\nretention_1h = 1.0\n"
      "radius_um = 1.0e5\ndays = [0.0]\n[rules.therapy.proliferation]\nin_vivo_fraction = 1.0\n"
      "[rules.therapy.differentiation]\nmin_age_days = 0.0\n";
  const auto run = [&](int threads) {
    omp_set_num_threads(threads);
    auto s = build(w.toml());
    run_days(*s, 3.0);
    const auto& a = s->world().agents();
    return std::make_tuple(a.ids(), a.types(), a.voxels());
  };
  const auto one = run(1);
  const auto two = run(2);
  omp_set_num_threads(1);
  EXPECT_EQ(one, two);
  EXPECT_GT(std::get<0>(one).size(), 600u);  // they divided
}

}  // namespace
}  // namespace regensim::models
