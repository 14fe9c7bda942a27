// host_scar on hand-built lattices: activation follows TGF-beta, inflammation and the
// anti-inflammatory brake; myofibroblast division and death match row 25; collagen fills
// free space only and makes scar at the threshold; an anti-fibrotic factor brakes
// activation and deposition and turns young collagen over; the switches switch.
#include <gtest/gtest.h>

#include <array>

#include "host_test_support.hpp"
#include "models/host_scar.hpp"
#include "sim/core/error.hpp"

namespace regensim::models {
namespace {

using host_test::add_uniform_field;
using host_test::ctx_at;
using host_test::expect_binomial;

constexpr double kDay = 1440.0;

struct ScarWorld {
  sim::World w;
  HostScarParams p;
  sim::Mechanisms m;
  ScarWorld(int n, double tgfb, double inflammation, double anti)
      : w(sim::Lattice(n, n, 1, 20.0), 1, 30.0) {
    host_test::prepare(w);
    p.tgfb_field = add_uniform_field(w, "tgfb", tgfb);
    p.inflammation_field = add_uniform_field(w, "inflammation", inflammation);
    p.anti_inflammatory_field = add_uniform_field(w, "anti_inflammatory", anti);
  }
  std::size_t add_fibroblasts(float myo) {
    const int col = ensure_column(w, kMyofibroblastColumn, 0.0f);
    for (int y = 1; y < w.lattice().ny(); y += 4) {
      for (int x = 1; x < w.lattice().nx(); x += 4) {
        const auto slot = w.agents().add(w.agent_type("fibroblast"), w.lattice().index(x, y, 0), 0);
        w.agents().column(col)[slot] = myo;
      }
    }
    return w.agents().size();
  }
  void step(std::int64_t k, double dt_min) {
    HostScar rule("scar", p, m, w);
    rule.apply(sim::Phase::Act, w, ctx_at(k, dt_min));
  }
  std::size_t activated() const {
    const auto& c = w.agents().column(w.agents().column_index(kMyofibroblastColumn));
    return static_cast<std::size_t>(std::count(c.begin(), c.end(), 1.0f));
  }
};

TEST(HostScar, ActivationRateFollowsSignals) {
  HostScarParams p;
  EXPECT_EQ(p.activation_per_day(0.0, 0.0, 0.0), 0.0);
  EXPECT_NEAR(p.activation_per_day(1.0, 0.0, 0.0), 0.25, 1e-12);    // B = K_B
  EXPECT_NEAR(p.activation_per_day(1.0, 1.0, 0.0), 0.375, 1e-12);   // or inflammation
  EXPECT_NEAR(p.activation_per_day(1.0, 1.0, 1.0), 0.1875, 1e-12);  // A = K_A halves it
  std::size_t active[2];
  for (int anti = 0; anti < 2; ++anti) {
    ScarWorld s(80, 1.0, 1.0, anti);
    s.p.activation_rate_per_day = 2.0;
    const std::size_t n = s.add_fibroblasts(0.0f);
    s.step(0, kDay);
    active[anti] = s.activated();
    expect_binomial(active[anti], n, 1.0 - std::exp(-2.0 * 0.75 * (anti ? 0.5 : 1.0)));
  }
  EXPECT_GT(active[0], active[1]);  // the anti-inflammatory brake
}

TEST(HostScar, MyofibroblastsDivideAndDieAtRow25Rates) {
  ScarWorld grow(80, 1.0e6, 0.0, 0.0);
  grow.p.death_rate_per_day = 0.0;
  const std::size_t n = grow.add_fibroblasts(1.0f);
  grow.step(0, kDay);
  expect_binomial(grow.w.agents().size() - n, n, 1.0 - std::exp(-0.9));
  EXPECT_EQ(grow.activated(), grow.w.agents().size());  // daughters are myofibroblasts

  ScarWorld die(80, 0.0, 0.0, 0.0);
  const std::size_t m = die.add_fibroblasts(1.0f);
  die.step(0, kDay);
  std::size_t marked = 0;
  for (sim::AgentSlot i = 0; i < die.w.agents().size(); ++i) marked += die.w.agents().is_marked(i);
  expect_binomial(marked, m, 1.0 - std::exp(-0.3));
}

TEST(HostScar, CollagenFillsFreeSpaceAndMakesScarAtThreshold) {
  ScarWorld s(3, 0.0, 0.0, 0.0);
  s.p.death_rate_per_day = 0.0;
  const TissueState t = TissueState::of(s.w);
  const int col = ensure_column(s.w, kMyofibroblastColumn, 0.0f);
  s.w.agents().column(col)[s.w.agents().add(s.w.agent_type("fibroblast"), 4, 0)] = 1.0f;
  t.viable[4] = 0.3f;
  t.necrotic[4] = 0.1f;  // free space 0.6
  s.step(0, 30.0);
  EXPECT_NEAR(t.collagen[4], 0.1 * 30.0 / kDay, 1e-7);
  EXPECT_EQ(t.scar[4], 0);
  for (int k = 1; k <= 48 * 5; ++k) s.step(k, 30.0);  // 0.5 reached just after 5 days
  EXPECT_EQ(t.scar[4], 1);
  for (int k = 0; k < 48 * 10; ++k) s.step(k, 30.0);
  EXPECT_NEAR(t.collagen[4], 0.6f, 1e-6);  // never more than the free space
  EXPECT_TRUE(host_test::fractions_valid(s.w));
  EXPECT_EQ(t.collagen[0], 0.0f);  // only where a myofibroblast is
}

TEST(HostScar, SwitchedOffDoesNothing) {
  ScarWorld s(40, 5.0, 5.0, 0.0);
  s.m.scar = false;
  const std::size_t n = s.add_fibroblasts(1.0f);
  s.step(0, 10 * kDay);
  EXPECT_EQ(s.w.agents().size(), n);
  const auto& c = s.w.tissue().find("collagen")->fractions;
  EXPECT_EQ(std::count(c.begin(), c.end(), 0.0f), static_cast<long>(c.size()));
  s.m.scar = true;
  s.step(1, kDay);
  EXPECT_GT(s.w.agents().size(), n);
}

TEST(HostScar, AntifibroticFactorBrakesActivation) {
  HostScarParams p;  // p_act 0.8: a = 0.5 leaves 1 - 0.4 of the rate
  EXPECT_NEAR(p.activation_per_day(1.0, 0.0, 0.0, 0.5), 0.25 * 0.6, 1e-12);
  EXPECT_NEAR(p.activation_per_day(1.0, 1.0, 1.0, 1.0), 0.1875 * 0.2, 1e-12);
  std::size_t active[2];
  for (int on = 0; on < 2; ++on) {
    ScarWorld s(80, 1.0, 1.0, 0.0);
    s.p.activation_rate_per_day = 2.0;
    s.p.antifibrotic_field = add_uniform_field(s.w, "hgf", 1.0);  // H = K_H: a = 0.5
    s.m.antifibrotic = on == 1;
    const std::size_t n = s.add_fibroblasts(0.0f);
    s.step(0, kDay);
    active[on] = s.activated();
    expect_binomial(active[on], n, 1.0 - std::exp(-2.0 * 0.75 * (on ? 0.6 : 1.0)));
  }
  EXPECT_GT(active[0], active[1]);
}

TEST(HostScar, AntifibroticFactorCutsDepositionAndTurnsYoungCollagenOver) {
  const auto run = [](bool on) {
    ScarWorld s(3, 0.0, 0.0, 0.0);
    s.p.death_rate_per_day = 0.0;
    s.p.antifibrotic_field = add_uniform_field(s.w, "hgf", 3.0);  // a = 3 / (1 + 3) = 0.75
    s.m.antifibrotic = on;
    const TissueState t = TissueState::of(s.w);
    const int col = ensure_column(s.w, kMyofibroblastColumn, 0.0f);
    s.w.agents().column(col)[s.w.agents().add(s.w.agent_type("fibroblast"), 4, 0)] = 1.0f;
    t.collagen[0] = 0.3f;  // young collagen, no cell
    t.collagen[8] = 0.6f;  // mature scar
    t.scar[8] = 1;
    s.step(0, kDay);
    return std::array<float, 3>{t.collagen[4], t.collagen[0], t.collagen[8]};
  };
  const auto off = run(false);
  EXPECT_NEAR(off[0], 0.1, 1e-6);  // c_dep for one day
  EXPECT_FLOAT_EQ(off[1], 0.3f);   // no turnover without the mechanism
  const auto on = run(true);
  // Deposition x (1 - p_dep a) = 1 - 0.5 * 0.75, then turnover exp(-r_mmp a dt) = exp(-0.075).
  const double kept = std::exp(-0.1 * 0.75);
  EXPECT_NEAR(on[0], 0.1 * (1.0 - 0.375) * kept, 1e-6);
  EXPECT_NEAR(on[1], 0.3 * kept, 1e-6);
  EXPECT_FLOAT_EQ(on[2], 0.6f);  // scar voxels are not remodelled
}

TEST(HostScar, AntifibroticKeysAreCheckedAndNameThemselves) {
  const auto error_of = [](const std::string& text) -> std::string {
    sim::World w(sim::Lattice(3, 3, 1, 20.0), 1, 30.0);
    host_test::prepare(w);
    add_uniform_field(w, "tgfb", 0.0);
    add_uniform_field(w, "hgf", 0.0);
    host_test::Snippet snip(text);
    sim::ConfigTable t = snip.table();
    try {
      HostScarParams::read(t, w);
      t.finish();
    } catch (const sim::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error_of("antifibrotic_field = \"hgf\"\n"), "");
  EXPECT_NE(error_of("antifibrotic_field = \"hfg\"\n").find("antifibrotic_field"),
            std::string::npos);
  EXPECT_NE(error_of("max_activation_inhibition = 1.5\n").find("max_activation_inhibition"),
            std::string::npos);
  EXPECT_NE(error_of("max_deposition_inhibition = -0.1\n").find("max_deposition_inhibition"),
            std::string::npos);
  EXPECT_NE(error_of("collagen_turnover_per_day = -1.0\n").find("collagen_turnover_per_day"),
            std::string::npos);
  EXPECT_NE(error_of("antifibrotic_half_max = 0.0\n").find("antifibrotic_half_max"),
            std::string::npos);
}

TEST(HostScar, SameResultOnOneAndTwoThreads) {
  const auto run = [](int threads) {
    ScarWorld s(30, 2.0, 0.5, 0.2);
    s.p.antifibrotic_field = add_uniform_field(s.w, "hgf", 0.5);  // turnover runs in parallel
    s.add_fibroblasts(0.0f);
    host_test::with_threads(threads, [&] {
      for (int k = 0; k < 40; ++k) {
        s.step(k, 60.0);
        s.w.agents().compact();
      }
    });
    return std::make_tuple(s.w.agents().ids(), s.w.agents().voxels(),
                           s.w.tissue().find("collagen")->fractions);
  };
  EXPECT_EQ(run(1), run(2));
}

}  // namespace
}  // namespace regensim::models
