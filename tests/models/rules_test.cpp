// The thin engine-showcase rules on hand-built lattices: each does what its docs say,
// and the statistics match their parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "models/cell_types.hpp"
#include "models/metrics.hpp"
#include "models/place_cells.hpp"
#include "models/random_walk.hpp"
#include "models/secretion_uptake.hpp"
#include "models/vessel_network.hpp"
#include "sim/core/error.hpp"
#include "tests/test_support.hpp"

namespace regensim::models {
namespace {

using sim::Lattice;
using sim::StepContext;
using sim::World;

StepContext ctx_at(std::int64_t step, double dt_min = 30.0, std::uint64_t seed = 1) {
  return regensim::testing::step_context(step, dt_min, seed);
}

TEST(VesselNetwork, MarksGridPointsOutsideTheAvascularCore) {
  World w(Lattice(10, 10, 1, 10.0), 1, 30.0);
  VesselNetwork rule("v", {40.0, 0.0}, w);
  rule.apply(sim::Phase::Setup, w, ctx_at(0));
  const auto& v = w.tissue().find("vessel")->classes;
  // Grid lines at 20, 60, 100 µm -> voxels whose centre is within 5 µm: x in {1 or 2, 5 or 6}.
  std::set<int> xs;
  for (int x = 0; x < 10; ++x) {
    if (v[w.lattice().index(x, 1, 0)] || v[w.lattice().index(x, 2, 0)]) xs.insert(x);
  }
  EXPECT_EQ(xs.size(), 2u);
  const auto n = std::count(v.begin(), v.end(), 1);
  EXPECT_EQ(n, 4);  // 2 x 2 grid points in 100 µm x 100 µm at 40 µm spacing offset 20 µm

  World core(Lattice(10, 10, 1, 10.0), 1, 30.0);
  VesselNetwork with_core("v", {40.0, 30.0}, core);
  with_core.apply(sim::Phase::Setup, core, ctx_at(0));
  const auto& vc = core.tissue().find("vessel")->classes;
  for (int y = 0; y < 10; ++y) {
    for (int x = 0; x < 10; ++x) {
      const double dx = (x + 0.5) * 10 - 50, dy = (y + 0.5) * 10 - 50;
      if (std::hypot(dx, dy) < 30.0) {
        EXPECT_EQ(vc[core.lattice().index(x, y, 0)], 0);
      }
    }
  }
}

TEST(PlaceCells, PlacesExactlyCountInsideSphereAvoidingVessels) {
  World w(Lattice(20, 20, 5, 10.0), 3, 30.0);
  declare_cell_types(w);
  VesselNetwork vessels("v", {50.0, 0.0}, w);
  vessels.apply(sim::Phase::Setup, w, ctx_at(0));
  PlaceCellsParams p;
  p.type = w.agent_type("msc");
  p.count = 60;
  p.radius_um = 60.0;
  PlaceCells rule("inj", p);
  rule.apply(sim::Phase::Setup, w, ctx_at(0, 30.0, 3));
  const auto& a = w.agents();
  ASSERT_EQ(a.size(), 60u);
  const auto& vessel = w.tissue().find("vessel")->classes;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto c = w.lattice().coord(a.voxels()[i]);
    const double dx = (c.x + 0.5) * 10 - 100, dy = (c.y + 0.5) * 10 - 100,
                 dz = (c.z + 0.5) * 10 - 25;
    EXPECT_LE(dx * dx + dy * dy + dz * dz, 60.0 * 60.0);
    EXPECT_EQ(vessel[a.voxels()[i]], 0);
    EXPECT_EQ(a.types()[i], w.agent_type("msc"));
  }
}

TEST(PlaceCells, SameSeedSamePlacesOtherSeedOtherPlaces) {
  const auto place = [](std::uint64_t seed) {
    World w(Lattice(15, 15, 1, 10.0), seed, 30.0);
    declare_cell_types(w);
    PlaceCellsParams p;
    p.count = 30;
    p.radius_um = 60.0;
    PlaceCells("inj", p).apply(sim::Phase::Setup, w, ctx_at(0, 30.0, seed));
    return w.agents().voxels();
  };
  EXPECT_EQ(place(5), place(5));
  EXPECT_NE(place(5), place(6));
}

TEST(PlaceCells, TooFewFreeVoxelsIsAConfigError) {
  World w(Lattice(5, 5, 1, 10.0), 1, 30.0);
  PlaceCellsParams p;
  p.count = 50;  // only 25 voxels
  p.radius_um = 100.0;
  PlaceCells rule("inj", p);
  EXPECT_THROW(rule.apply(sim::Phase::Setup, w, ctx_at(0)), sim::ConfigError);
}

class RandomWalkTest : public ::testing::Test {
 protected:
  // Cells on every 4th voxel of a 2D lattice: no cell can block another.
  World world_{Lattice(64, 64, 1, 20.0), 9, 30.0};
  void SetUp() override {
    declare_cell_types(world_);
    for (int y = 2; y < 62; y += 4) {
      for (int x = 2; x < 62; x += 4) world_.agents().add(0, world_.lattice().index(x, y, 0), 0);
    }
  }
};

TEST_F(RandomWalkTest, FractionThatJumpsMatchesJumpProbability) {
  RandomWalk rule("walk", {{0}, 30.0});
  const double p = rule.jump_probability(20.0, 30.0);
  EXPECT_NEAR(p, 1.0 - std::exp(-30.0 / 20.0 / 60.0 * 30.0), 1e-15);
  std::size_t jumps = 0, trials = 0;
  for (std::int64_t step = 0; step < 40; ++step) {
    const auto before = world_.agents().voxels();
    rule.apply(sim::Phase::Act, world_, ctx_at(step, 30.0, 9));
    const auto& after = world_.agents().voxels();
    for (std::size_t i = 0; i < before.size(); ++i) {
      const auto a = world_.lattice().coord(before[i]), b = world_.lattice().coord(after[i]);
      const int d = std::abs(a.x - b.x) + std::abs(a.y - b.y);
      EXPECT_LE(d, 1) << "one von Neumann jump per step at most";
      jumps += d == 1 ? 1 : 0;
    }
    trials += before.size();
  }
  // Cells spread out and may meet, which only lowers the count slightly; edges reduce
  // neighbours but every chosen neighbour exists. Binomial: 4 sigma.
  const double sigma = std::sqrt(p * (1 - p) / static_cast<double>(trials));
  EXPECT_NEAR(static_cast<double>(jumps) / static_cast<double>(trials), p, 4 * sigma + 0.01);
}

TEST_F(RandomWalkTest, NeverTwoCellsInOneVoxelAndOtherTypesStay) {
  auto& a = world_.agents();
  const auto other = world_.agent_type("fibroblast");
  a.add(other, world_.lattice().index(3, 2, 0), 0);  // right next to a moving cell
  const auto fibro_voxel = a.voxels().back();
  RandomWalk rule("walk", {{world_.agent_type("msc")}, 600.0});  // jumps nearly every step
  for (std::int64_t step = 0; step < 50; ++step) {
    rule.apply(sim::Phase::Act, world_, ctx_at(step));
    std::set<sim::VoxelIndex> seen(a.voxels().begin(), a.voxels().end());
    ASSERT_EQ(seen.size(), a.size()) << "volume exclusion broken at step " << step;
    for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a.at(a.voxels()[i]), i);
  }
  EXPECT_EQ(a.voxels().back(), fibro_voxel);
}

TEST(RandomWalk, ZeroSpeedNeverMovesAndBoxedCellStays) {
  World w(Lattice(3, 3, 1, 20.0), 1, 30.0);
  declare_cell_types(w);
  for (sim::VoxelIndex v = 0; v < 9; ++v) w.agents().add(0, v, 0);  // full lattice
  const auto before = w.agents().voxels();
  RandomWalk fast("walk", {{0}, 1e6});
  for (std::int64_t s = 0; s < 10; ++s) fast.apply(sim::Phase::Act, w, ctx_at(s));
  EXPECT_EQ(w.agents().voxels(), before);  // no room anywhere
  World w2(Lattice(3, 3, 1, 20.0), 1, 30.0);
  w2.agents().add(0, 4, 0);
  RandomWalk still("walk", {{0}, 0.0});
  for (std::int64_t s = 0; s < 10; ++s) still.apply(sim::Phase::Act, w2, ctx_at(s));
  EXPECT_EQ(w2.agents().voxels()[0], 4u);
}

TEST(SecretionUptake, OnePointTermPerListedCellAndParacrineSwitch) {
  World w(Lattice(4, 4, 1, 20.0), 1, 30.0);
  declare_cell_types(w);
  sim::FieldSpec f;
  f.name = "vegf";
  w.add_field(f);
  w.agents().add(w.agent_type("msc"), 1, 0);
  w.agents().add(w.agent_type("fibroblast"), 2, 0);
  w.agents().add(w.agent_type("msc"), 7, 0);

  Secretion on("s", {{w.agent_type("msc")}, 0, 0.5}, sim::Mechanisms{});
  on.apply(sim::Phase::Secrete, w, ctx_at(0));
  const auto& terms = w.field("vegf").point_terms();
  ASSERT_EQ(terms.size(), 2u);
  EXPECT_EQ(terms[0].voxel, 1u);
  EXPECT_EQ(terms[1].voxel, 7u);
  EXPECT_FLOAT_EQ(terms[0].secretion_per_min, 0.5f);
  EXPECT_FLOAT_EQ(terms[0].uptake_per_min, 0.0f);

  w.field("vegf").point_terms().clear();
  sim::Mechanisms no_paracrine;
  no_paracrine.paracrine = false;
  Secretion off("s", {{w.agent_type("msc")}, 0, 0.5}, no_paracrine);
  off.apply(sim::Phase::Secrete, w, ctx_at(0));
  EXPECT_TRUE(w.field("vegf").point_terms().empty());

  Uptake up("u", {{w.agent_type("fibroblast")}, 0, 10.0});
  up.apply(sim::Phase::Secrete, w, ctx_at(0));
  ASSERT_EQ(w.field("vegf").point_terms().size(), 1u);
  EXPECT_EQ(w.field("vegf").point_terms()[0].voxel, 2u);
  EXPECT_FLOAT_EQ(w.field("vegf").point_terms()[0].uptake_per_min, 10.0f);
}

TEST(Metrics, CountsByTypeFieldMeansAndVesselDensity) {
  World w(Lattice(4, 5, 1, 20.0), 1, 30.0);
  declare_cell_types(w);
  sim::FieldSpec f;
  f.name = "oxygen";
  f.initial_value = 2.0;
  w.add_field(f);
  w.field("oxygen").values()[0] = 22.0;  // mean = (19*2 + 22)/20 = 3
  w.tissue().add_code("vessel", "", {{0, "none"}, {1, "vessel"}}).classes[3] = 1;
  w.agents().add(w.agent_type("msc"), 0, 0);
  w.agents().add(w.agent_type("msc"), 1, 0);
  w.agents().add(w.agent_type("macrophage"), 2, 0);
  std::vector<sim::MetricDef> metrics;
  add_standard_metrics(w, metrics);
  std::map<std::string, double> values;
  for (const auto& m : metrics) values[m.name] = m.compute(w);
  EXPECT_EQ(values.at("n_msc"), 2.0);
  EXPECT_EQ(values.at("n_macrophage"), 1.0);
  EXPECT_EQ(values.at("n_chondrocyte"), 0.0);
  EXPECT_DOUBLE_EQ(values.at("mean_oxygen"), 3.0);
  // One capillary crossing a 0.08 mm x 0.1 mm section: 125 per mm².
  EXPECT_DOUBLE_EQ(values.at("vessel_density"), 1.0 / (0.08 * 0.1));
}

}  // namespace
}  // namespace regensim::models
