// host_angiogenesis on hand-built lattices: sprouting only above the VEGF threshold at
// its rate, tips climb the gradient at sprout speed leaving vessel (an oxygen source),
// branch by the row-20 length rule and stop on anastomosis; the switch switches.
#include <gtest/gtest.h>

#include "host_test_support.hpp"
#include "models/host_angiogenesis.hpp"
#include "models/metrics.hpp"
#include "sim/core/error.hpp"

namespace regensim::models {
namespace {

using host_test::add_uniform_field;
using host_test::ctx_at;
using host_test::expect_binomial;

constexpr double kDay = 1440.0;

struct AngioWorld {
  sim::World w;
  HostAngiogenesisParams p;
  sim::Mechanisms m;
  AngioWorld(int nx, int ny, double vegf) : w(sim::Lattice(nx, ny, 1, 20.0), 1, 30.0) {
    host_test::prepare(w);
    p.vegf_field = add_uniform_field(w, "vegf", vegf);
    add_uniform_field(w, "oxygen", 5.0, "vessel", 38.0);
    w.fields()[1].set_fixed_mask(w.tissue().find("vessel")->classes.data());
    HostAngiogenesis("angio", p, m, w);  // declares the tip columns
  }
  sim::VoxelIndex at(int x, int y) const { return w.lattice().index(x, y, 0); }
  std::uint8_t vessel(int x, int y) const { return w.tissue().find("vessel")->classes[at(x, y)]; }
  void set_vessel(int x, int y) { w.tissue().find("vessel")->classes[at(x, y)] = 1; }
  sim::AgentSlot add_tip(int x, int y, int heading, float length = 0.0f) {
    const auto slot = w.agents().add(w.agent_type("endothelial_tip"), at(x, y), 0);
    w.agents().column(w.agents().column_index(kSproutHeadingColumn))[slot] =
        static_cast<float>(heading);
    w.agents().column(w.agents().column_index(kSproutLengthColumn))[slot] = length;
    return slot;
  }
  void step(std::int64_t k, double dt_min) {
    HostAngiogenesis rule("angio", p, m, w);
    rule.apply(sim::Phase::Act, w, ctx_at(k, dt_min));
  }
  std::size_t live_tips() const {
    std::size_t c = 0;
    for (sim::AgentSlot i = 0; i < w.agents().size(); ++i) c += !w.agents().is_marked(i);
    return c;
  }
};

TEST(HostAngiogenesis, SproutsOnlyAboveTheVegfThresholdAtTheirRate) {
  for (const double vegf : {0.5, 0.7}) {
    AngioWorld a(80, 80, vegf);
    a.p.sprout_rate_per_day = 0.5;
    std::size_t vessels = 0;
    for (int y = 2; y < 80; y += 5) {
      for (int x = 2; x < 80; x += 5, ++vessels) a.set_vessel(x, y);
    }
    a.step(0, kDay);
    if (vegf < 0.6) {
      EXPECT_EQ(a.w.agents().size(), 0u);
    } else {
      expect_binomial(a.w.agents().size(), vessels, 1.0 - std::exp(-0.5));
      const auto& heading = a.w.agents().column(a.w.agents().column_index(kSproutHeadingColumn));
      for (float h : heading) EXPECT_GE(h, 0.0f);  // each knows its source vessel
    }
  }
}

TEST(HostAngiogenesis, TipsMoveAtSproutSpeedLeavingAnOxygenSupplyingTrail) {
  AngioWorld a(80, 80, 1.0);
  a.p.branch_min_length_um = 1e6;  // no branching here
  a.p.branch_max_length_um = 2e6;
  std::size_t n = 0;
  for (int y = 2; y < 80; y += 5) {
    for (int x = 2; x < 80; x += 5, ++n) a.add_tip(x, y, -1);
  }
  a.step(0, 120.0);  // 10 µm/h over 20 µm voxels: rate 0.5/h, 2 h
  std::size_t moved = 0;
  const auto& o2 = a.w.fields()[1].values();
  for (int y = 2; y < 80; y += 5) {
    for (int x = 2; x < 80; x += 5) {
      if (a.vessel(x, y) == 0) continue;
      ++moved;
      EXPECT_EQ(o2[a.at(x, y)], 38.0f);  // trail holds the vessel oxygen
    }
  }
  expect_binomial(moved, n, 1.0 - std::exp(-1.0));
  const auto& length = a.w.agents().column(a.w.agents().column_index(kSproutLengthColumn));
  EXPECT_EQ(std::count(length.begin(), length.end(), 20.0f), static_cast<long>(moved));
}

TEST(HostAngiogenesis, TipsClimbTheVegfGradient) {
  AngioWorld a(40, 9, 0.0);
  a.p.gradient_weight = 1.0;
  a.p.persistence_weight = 0.0;
  a.p.branch_min_length_um = 1e6;
  a.p.branch_max_length_um = 2e6;
  auto& v = a.w.fields()[0].values();
  for (int y = 0; y < 9; ++y) {
    for (int x = 0; x < 40; ++x) v[a.at(x, y)] = 1.0f + 0.1f * static_cast<float>(x);
  }
  a.add_tip(2, 4, -1);
  for (int k = 0; k < 100; ++k) a.step(k, 30.0);  // about 22 steps of 20 µm
  const auto c = a.w.lattice().coord(a.w.agents().voxels()[0]);
  EXPECT_GT(c.x, 10);  // straight up the gradient
  EXPECT_EQ(c.y, 4);
  for (int x = 2; x < c.x; ++x) EXPECT_EQ(a.vessel(x, 4), 1) << x;
}

TEST(HostAngiogenesis, ClimbsAlongZInThreeDAndFusesWithAVesselThere) {
  sim::World w(sim::Lattice(5, 5, 30, 20.0), 1, 30.0);
  host_test::prepare(w);
  HostAngiogenesisParams p;
  p.vegf_field = add_uniform_field(w, "vegf", 0.0);
  p.gradient_weight = 1.0;
  p.persistence_weight = 0.0;
  p.sprout_rate_per_day = 0.0;
  p.branch_min_length_um = 1e6;
  p.branch_max_length_um = 2e6;
  auto& v = w.fields()[0].values();
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = 1.0f + 0.1f * static_cast<float>(w.lattice().coord(static_cast<sim::VoxelIndex>(i)).z);
  }
  auto& vessel = w.tissue().find("vessel")->classes;
  vessel[w.lattice().index(2, 2, 25)] = 1;  // a vessel ahead of the sprout
  sim::Mechanisms m;
  HostAngiogenesis rule("angio", p, m, w);
  w.agents().add(w.agent_type("endothelial_tip"), w.lattice().index(2, 2, 1), 0);
  for (int k = 0; k < 400 && !w.agents().is_marked(0); ++k)
    rule.apply(sim::Phase::Act, w, ctx_at(k));
  ASSERT_TRUE(w.agents().is_marked(0));  // anastomosis stopped it
  EXPECT_EQ(w.agents().voxels()[0], w.lattice().index(2, 2, 24));
  for (int z = 1; z <= 25; ++z) EXPECT_EQ(vessel[w.lattice().index(2, 2, z)], 1) << z;
  EXPECT_EQ(std::count(vessel.begin(), vessel.end(), 1), 25);  // a straight capillary, no more
}

TEST(HostAngiogenesis, BelowThresholdTipsStall) {
  AngioWorld a(9, 9, 0.1);
  a.add_tip(4, 4, -1);
  for (int k = 0; k < 100; ++k) a.step(k, 30.0);
  EXPECT_EQ(a.w.agents().voxels()[0], a.at(4, 4));
}

TEST(HostAngiogenesis, TipFusesWithAVesselOrAnotherTipAndStops) {
  AngioWorld a(12, 12, 1.0);
  a.set_vessel(2, 3);  // the tip at (3, 3) came from (2, 3): its own stalk
  a.add_tip(3, 3, 1);
  a.set_vessel(6, 1);  // a tip at (6, 2) heading +x from (5, 2) meets the vessel at (6, 1)
  a.set_vessel(5, 2);
  a.add_tip(6, 2, 1);
  a.add_tip(9, 9, 1);  // two tips face to face
  a.add_tip(10, 9, 0);
  a.step(0, 30.0);
  EXPECT_FALSE(a.w.agents().is_marked(0));
  EXPECT_TRUE(a.w.agents().is_marked(1));
  EXPECT_TRUE(a.w.agents().is_marked(2));
  EXPECT_TRUE(a.w.agents().is_marked(3));
  EXPECT_EQ(a.vessel(6, 2), 1);  // the fused tip's voxel joins the network
  EXPECT_EQ(a.vessel(9, 9), 1);
  EXPECT_EQ(a.w.fields()[1].values()[a.at(10, 9)], 38.0f);
}

TEST(HostAngiogenesis, BranchingFollowsTheSproutLengthRule) {
  HostAngiogenesisParams p;
  EXPECT_EQ(p.branch_probability(80.0), 0.0);
  EXPECT_DOUBLE_EQ(p.branch_probability(200.0), 0.5);
  EXPECT_EQ(p.branch_probability(320.0), 1.0);
  for (const float length : {40.0f, 400.0f}) {
    AngioWorld a(80, 80, 1.0);
    a.p.sprout_rate_per_day = 0.0;  // no new sprouts from the trails here
    std::size_t n = 0;
    for (int y = 2; y < 80; y += 6) {
      for (int x = 2; x < 80; x += 6, ++n) a.add_tip(x, y, -1, length);
    }
    a.step(0, 600.0);  // nearly every tip moves
    std::size_t moved = 0;
    for (int y = 2; y < 80; y += 6) {
      for (int x = 2; x < 80; x += 6) moved += a.vessel(x, y);
    }
    const std::size_t branches = a.w.agents().size() - n;
    if (length < 100.0f) {
      EXPECT_EQ(branches, 0u);
    } else {
      EXPECT_EQ(branches, moved);  // long sprouts always branch
      a.step(1, 1.0);              // a branch and its parent do not fuse
      EXPECT_EQ(a.live_tips(), a.w.agents().size());
    }
  }
}

TEST(HostAngiogenesis, SwitchedOffDoesNothingAndDensityCountsVessels) {
  AngioWorld a(50, 50, 5.0);
  a.m.angiogenesis = false;
  a.set_vessel(10, 10);
  a.add_tip(30, 30, -1);
  a.step(0, 10 * kDay);
  EXPECT_EQ(a.w.agents().size(), 1u);
  EXPECT_EQ(a.w.agents().voxels()[0], a.at(30, 30));
  // 1 vessel voxel in 50 x 50 voxels of 20 µm = 1 mm²: 1 capillary per mm².
  EXPECT_DOUBLE_EQ(capillary_density_per_mm2(a.w), 1.0);
  a.set_vessel(11, 10);
  EXPECT_DOUBLE_EQ(capillary_density_per_mm2(a.w), 2.0);
}

TEST(HostAngiogenesis, SameResultOnOneAndTwoThreads) {
  const auto run = [](int threads) {
    AngioWorld a(40, 40, 0.0);
    auto& v = a.w.fields()[0].values();
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.6f + 0.02f * static_cast<float>(i % 40);
    for (int y = 0; y < 40; y += 8) a.set_vessel(0, y);
    a.p.sprout_rate_per_day = 2.0;
    host_test::with_threads(threads, [&] {
      for (int k = 0; k < 100; ++k) {
        a.step(k, 30.0);
        a.w.agents().compact();
      }
    });
    return std::make_tuple(a.w.agents().ids(), a.w.agents().voxels(),
                           a.w.tissue().find("vessel")->classes);
  };
  const auto one = run(1);
  EXPECT_GT(std::count(std::get<2>(one).begin(), std::get<2>(one).end(), 1), 10);
  EXPECT_EQ(one, run(2));
}

TEST(HostAngiogenesis, InconsistentParametersAreConfigErrors) {
  sim::World w(sim::Lattice(3, 3, 1, 20.0), 1, 30.0);
  add_uniform_field(w, "vegf", 0.0);
  const auto error_of = [&w](const std::string& text) -> std::string {
    host_test::Snippet snip(text);
    auto t = snip.table();
    try {
      HostAngiogenesisParams::read(t, w);
    } catch (const sim::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(
      error_of("gradient_weight = 0.8\npersistence_weight = 0.3\n").find("persistence_weight"),
      std::string::npos);
  EXPECT_NE(error_of("branch_min_length_um = 300.0\nbranch_max_length_um = 100.0\n")
                .find("branch_max_length_um"),
            std::string::npos);
  EXPECT_NE(error_of("vegf_field = \"VEGF\"\n").find("fields: vegf"), std::string::npos);
  EXPECT_NE(error_of("speed_um_per_hour = -1.0\n").find("t.toml:1"), std::string::npos);
  EXPECT_EQ(error_of(""), "");
}

}  // namespace
}  // namespace regensim::models
