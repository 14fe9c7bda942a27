// host_inflammation on hand-built lattices: recruitment, division, death and M1 -> M2
// rates match their parameters (binomial tolerance), clearance and secretion follow the
// equations, the switch switches, and threads do not change the result.
#include <gtest/gtest.h>

#include "host_test_support.hpp"
#include "models/host_inflammation.hpp"

namespace regensim::models {
namespace {

using host_test::add_uniform_field;
using host_test::ctx_at;
using host_test::expect_binomial;

constexpr double kDay = 1440.0;

struct InflammationWorld {
  sim::World w;
  HostInflammationParams p;
  sim::Mechanisms m;
  explicit InflammationWorld(int n, double inflammation = 0.0, double anti = 0.0)
      : w(sim::Lattice(n, n, 1, 20.0), 1, 30.0) {
    host_test::prepare(w);
    p.inflammation_field = add_uniform_field(w, "inflammation", inflammation);
    p.anti_inflammatory_field = add_uniform_field(w, "anti_inflammatory", anti);
    p.tgfb_field = add_uniform_field(w, "tgfb", 0.0);
    // The rates the tests below check against, independent of the defaults.
    p.recruitment_rate_per_day = 0.5;
    p.recruitment = {1.0, 1.0};
    p.base_polarization_rate_per_day = 0.1;
    p.polarization_rate_per_day = 2.0;
    p.polarization = {1.0, 1.0};
    p.m1_clearance_per_day = 1.0;
    p.m2_clearance_factor = 0.3;
    p.resident_clearance_per_day = 0.02;
    p.necrotic_secretion_per_min = 0.01;
  }
  /// Cells (or vessels) on every 4th voxel: no two compete for a neighbour.
  std::size_t add_macrophages(float m2 = 0.0f) {
    const auto type = w.agent_type("macrophage");
    const int col = ensure_column(w, kMacrophageM2Column, 0.0f);
    for (int y = 1; y < w.lattice().ny(); y += 4) {
      for (int x = 1; x < w.lattice().nx(); x += 4) {
        const auto slot = w.agents().add(type, w.lattice().index(x, y, 0), 0);
        w.agents().column(col)[slot] = m2;
      }
    }
    return w.agents().size();
  }
  std::size_t add_vessels() {
    const TissueState s = TissueState::of(w);
    std::size_t n = 0;
    for (int y = 1; y < w.lattice().ny(); y += 4) {
      for (int x = 1; x < w.lattice().nx(); x += 4, ++n) s.vessel[w.lattice().index(x, y, 0)] = 1;
    }
    return n;
  }
  void step(std::int64_t k, double dt_min) {
    HostInflammation rule("inflammation", p, m, w);
    rule.apply(sim::Phase::Act, w, ctx_at(k, dt_min));
    rule.apply(sim::Phase::Secrete, w, ctx_at(k, dt_min));
  }
  std::size_t marked() const {
    std::size_t c = 0;
    for (std::size_t i = 0; i < w.agents().size(); ++i)
      c += w.agents().is_marked(static_cast<sim::AgentSlot>(i)) ? 1 : 0;
    return c;
  }
};

TEST(HostInflammation, RecruitmentAtVesselsRisesWithInflammation) {
  InflammationWorld quiet(80, 0.0);
  quiet.add_vessels();
  quiet.step(0, kDay);
  EXPECT_EQ(quiet.w.agents().size(), 0u);

  InflammationWorld hot(80, 1.0);  // I = K: rate r_rec / 2
  hot.p.proliferation_rate_per_day = 0.0;
  const std::size_t vessels = hot.add_vessels();
  hot.step(0, kDay);
  expect_binomial(hot.w.agents().size(), vessels, 1.0 - std::exp(-0.5 * 0.5));
  const auto& m2 = hot.w.agents().column(hot.w.agents().column_index(kMacrophageM2Column));
  for (float v : m2) EXPECT_EQ(v, 0.0f);  // recruits arrive as M1
}

TEST(HostInflammation, DivisionAndDeathMatchRow25Rates) {
  InflammationWorld grow(80, 1.0e6);  // saturating signal: division at 0.8/day
  grow.p.death_rate_per_day = 0.0;
  const std::size_t n = grow.add_macrophages();
  grow.step(0, kDay);
  expect_binomial(grow.w.agents().size() - n, n, 1.0 - std::exp(-0.8));

  InflammationWorld die(80, 0.0);
  const std::size_t m = die.add_macrophages();
  die.step(0, kDay);
  expect_binomial(die.marked(), m, 1.0 - std::exp(-0.3));
  EXPECT_EQ(die.w.agents().size(), m);  // no signal, no division
}

TEST(HostInflammation, AntiInflammatorySignalTurnsM1IntoM2) {
  std::size_t turned[2];
  for (int with_signal = 0; with_signal < 2; ++with_signal) {
    InflammationWorld iw(80, 0.0, with_signal ? 1.0 : 0.0);
    iw.p.death_rate_per_day = 0.0;
    const std::size_t n = iw.add_macrophages();
    iw.step(0, kDay);
    const auto& m2 = iw.w.agents().column(iw.w.agents().column_index(kMacrophageM2Column));
    turned[with_signal] = static_cast<std::size_t>(std::count(m2.begin(), m2.end(), 1.0f));
    const double rate = 0.1 + (with_signal ? 2.0 * 0.5 : 0.0);
    expect_binomial(turned[with_signal], n, 1.0 - std::exp(-rate));
  }
  EXPECT_GT(turned[1], turned[0]);
}

TEST(HostInflammation, MacrophagesClearDebrisAroundThemM1MoreThanM2) {
  for (const float m2 : {0.0f, 1.0f}) {
    InflammationWorld iw(5);
    iw.p.death_rate_per_day = 0.0;
    const TissueState s = TissueState::of(iw.w);
    for (std::size_t v = 0; v < s.size; ++v) s.necrotic[v] = 0.5f;
    iw.w.agents().add(iw.w.agent_type("macrophage"), iw.w.lattice().index(2, 2, 0), 0);
    iw.w.agents().column(ensure_column(iw.w, kMacrophageM2Column, 0.0f))[0] = m2;
    iw.step(0, 30.0);
    const double k = 1.0 * (m2 != 0.0f ? 0.3 : 1.0);
    const auto at = [&](int x, int y) { return s.necrotic[iw.w.lattice().index(x, y, 0)]; };
    EXPECT_NEAR(at(2, 2), 0.5 * std::exp(-(0.02 + k) * 30.0 / kDay), 1e-6);
    EXPECT_NEAR(at(2, 1), 0.5 * std::exp(-(0.02 + k) * 30.0 / kDay), 1e-6);
    EXPECT_NEAR(at(0, 0), 0.5 * std::exp(-0.02 * 30.0 / kDay), 1e-6);
    EXPECT_TRUE(host_test::fractions_valid(iw.w));
  }
}

TEST(HostInflammation, NecrosisAndM1SignalInflammationM2SignalResolution) {
  InflammationWorld iw(5);
  iw.p.death_rate_per_day = 0.0;
  iw.p.base_polarization_rate_per_day = 0.0;
  const TissueState s = TissueState::of(iw.w);
  s.necrotic[0] = 0.4f;
  const auto type = iw.w.agent_type("macrophage");
  const int col = ensure_column(iw.w, kMacrophageM2Column, 0.0f);
  iw.w.agents().add(type, 12, 0);
  iw.w.agents().column(col)[iw.w.agents().add(type, 14, 0)] = 1.0f;
  iw.step(0, 30.0);
  const auto& inf = iw.w.fields()[0].point_terms();
  ASSERT_EQ(inf.size(), 2u);  // necrotic voxel 0 and the M1 cell
  EXPECT_FLOAT_EQ(inf[0].secretion_per_min, 0.01f * s.necrotic[0]);  // after this step's clearance
  EXPECT_LT(s.necrotic[0], 0.4f);
  EXPECT_EQ(inf[1].voxel, 12u);
  const auto& anti = iw.w.fields()[1].point_terms();
  ASSERT_EQ(anti.size(), 1u);
  EXPECT_EQ(anti[0].voxel, 14u);
  EXPECT_EQ(iw.w.fields()[2].point_terms().size(), 1u);  // TGF-beta from the M2 cell
}

TEST(HostInflammation, SwitchedOffLeavesOnlyResidentClearance) {
  InflammationWorld iw(40, 5.0);
  iw.m.inflammation = false;
  iw.add_vessels();
  const std::size_t n = iw.add_macrophages();
  const TissueState s = TissueState::of(iw.w);
  s.necrotic[0] = 0.5f;
  iw.step(0, kDay);
  EXPECT_EQ(iw.w.agents().size(), n);
  EXPECT_EQ(iw.marked(), 0u);
  for (const auto& f : iw.w.fields()) EXPECT_TRUE(f.point_terms().empty());
  EXPECT_NEAR(s.necrotic[0], 0.5 * std::exp(-0.02), 1e-6);
}

TEST(HostInflammation, SameResultOnOneAndTwoThreads) {
  const auto run = [](int threads) {
    InflammationWorld iw(30, 0.0, 0.5);
    auto& inf = iw.w.fields()[0].values();
    for (std::size_t v = 0; v < inf.size(); ++v) inf[v] = static_cast<float>(v % 11) * 0.3f;
    iw.add_vessels();
    host_test::with_threads(threads, [&] {
      for (int k = 0; k < 30; ++k) {
        iw.step(k, 60.0);
        iw.w.agents().compact();
      }
    });
    const auto& a = iw.w.agents();
    return std::make_tuple(a.ids(), a.voxels(), a.column(a.column_index(kMacrophageM2Column)));
  };
  const auto one = run(1);
  EXPECT_GT(std::get<0>(one).size(), 10u);
  EXPECT_EQ(one, run(2));
}

}  // namespace
}  // namespace regensim::models
