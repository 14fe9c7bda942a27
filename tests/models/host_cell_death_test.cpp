// host_cell_death on hand-built lattices: the hazard follows its equation, trophic factor
// protects, the inflammation switch gates the inflammatory term.
#include <gtest/gtest.h>

#include "host_test_support.hpp"
#include "models/host_cell_death.hpp"
#include "sim/core/error.hpp"

namespace regensim::models {
namespace {

using host_test::add_uniform_field;
using host_test::ctx_at;

struct DeathWorld {
  sim::World w{sim::Lattice(10, 10, 1, 20.0), 1, 30.0};
  HostCellDeathParams p;
  DeathWorld(double oxygen, double inflammation, double trophic) {
    host_test::prepare(w);
    p.oxygen_field = add_uniform_field(w, "oxygen", oxygen);
    p.inflammation_field = add_uniform_field(w, "inflammation", inflammation);
    p.trophic_field = add_uniform_field(w, "trophic", trophic);
    p.tissue_kinds = ~0u;
    const TissueState s = TissueState::of(w);
    for (std::size_t v = 0; v < s.size; ++v) s.viable[v] = 0.8f;
  }
  /// Necrotic fraction of voxel 0 after one 30-min step.
  double step(bool inflammation_on = true) {
    sim::Mechanisms m;
    m.inflammation = inflammation_on;
    HostCellDeath rule("death", p, m, w);
    rule.apply(sim::Phase::Act, w, ctx_at(0));
    return TissueState::of(w).necrotic[0];
  }
};

TEST(HostCellDeath, HypoxicHazardIsLinearBetweenOnsetAndMaximum) {
  const double dt_day = 30.0 / 1440.0;
  for (const double o2 : {6.0, 5.0, 3.75, 2.5, 1.0}) {
    DeathWorld d(o2, 0.0, 0.0);
    const double frac = std::clamp((5.0 - o2) / 2.5, 0.0, 1.0);
    EXPECT_NEAR(d.p.hazard_per_day(o2, 0.0, 0.0, true), 2.0 * frac, 1e-12) << o2;
    EXPECT_NEAR(d.step(), 0.8 * (1.0 - std::exp(-2.0 * frac * dt_day)), 1e-6) << o2;
  }
}

TEST(HostCellDeath, TrophicFactorLowersTheHazard) {
  DeathWorld none(2.0, 1.0, 0.0), some(2.0, 1.0, 1.0), lots(2.0, 1.0, 100.0);
  const double a = none.step(), b = some.step(), c = lots.step();
  EXPECT_GT(a, b);
  EXPECT_GT(b, c);
  // At K_T the hazard is (1 - p_T/2) of the unprotected one: 0.75 for p_T = 0.5.
  EXPECT_NEAR(std::log1p(-b / 0.8) / std::log1p(-a / 0.8), 0.75, 1e-4);
}

TEST(HostCellDeath, InflammationSwitchGatesOnlyTheInflammatoryTerm) {
  DeathWorld on(38.0, 1.0, 0.0), off(38.0, 1.0, 0.0);
  EXPECT_NEAR(on.step(true), 0.8 * (1.0 - std::exp(-0.2 * 0.5 * 30.0 / 1440.0)), 1e-6);
  EXPECT_EQ(off.step(false), 0.0f);
  DeathWorld hypoxic(1.0, 1.0, 0.0);
  EXPECT_GT(hypoxic.step(false), 0.0f);  // death itself is not switchable
}

TEST(HostCellDeath, ConservesVolumeAndRespectsTissueKinds) {
  DeathWorld d(0.0, 5.0, 0.0);
  const TissueState s = TissueState::of(d.w);
  for (std::size_t v = 0; v < s.size; ++v) s.tissue_type[v] = v % 2 == 0 ? 4 : 1;  // myo/cart
  d.p.tissue_kinds = 1u << 4;
  sim::Mechanisms m;
  HostCellDeath rule("death", d.p, m, d.w);
  for (int step = 0; step < 500; ++step) rule.apply(sim::Phase::Act, d.w, ctx_at(step));
  EXPECT_TRUE(host_test::fractions_valid(d.w));
  EXPECT_NEAR(s.viable[0] + s.necrotic[0], 0.8f, 1e-6);
  EXPECT_LT(s.viable[0], 0.01f);
  EXPECT_EQ(s.viable[1], 0.8f);  // cartilage not listed: untouched
}

TEST(HostCellDeath, SameResultOnOneAndTwoThreads) {
  const auto run = [](int threads) {
    DeathWorld d(0.0, 0.0, 0.0);
    auto& o2 = d.w.fields()[0].values();
    for (std::size_t v = 0; v < o2.size(); ++v) o2[v] = static_cast<float>(v % 13) * 0.5f;
    host_test::with_threads(threads, [&] { d.step(); });
    return d.w.tissue().find("necrotic")->fractions;
  };
  EXPECT_EQ(run(1), run(2));
}

TEST(HostCellDeath, ConfigErrorsNameTheKey) {
  sim::World w(sim::Lattice(3, 3, 1, 20.0), 1, 30.0);
  add_uniform_field(w, "oxygen", 38.0);
  host_test::Snippet bad_field("trophic_field = \"hgf\"\n");
  auto t = bad_field.table();
  try {
    HostCellDeathParams::read(t, w);
    FAIL() << "no error";
  } catch (const sim::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("trophic_field"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("oxygen"), std::string::npos) << e.what();
  }
  host_test::Snippet bad_range("necrosis_onset_mmHg = 2.0\nnecrosis_max_mmHg = 3.0\n");
  auto t2 = bad_range.table();
  EXPECT_THROW(HostCellDeathParams::read(t2, w), sim::ConfigError);
  host_test::Snippet bad_kind("tissue_types = [\"liver\"]\n");
  auto t3 = bad_kind.table();
  EXPECT_THROW(HostCellDeathParams::read(t3, w), sim::ConfigError);
}

}  // namespace
}  // namespace regensim::models
