// matrix_deposition's endochondral step on hand-built lattices: cartilage turns into bone
// at r_e * h(O2) only within R_v of a vessel and once the template is mature
// (hand-computed amounts), a voxel starts converting when a vessel arrives, and
// mechanisms.vascular_ossification = false leaves the oxygen gate alone.
#include <gtest/gtest.h>

#include "models/cell_types.hpp"
#include "models/matrix_deposition.hpp"
#include "models/tissue_state.hpp"
#include "sim/config/config_table.hpp"
#include "sim/core/error.hpp"

namespace regensim::models {
namespace {

constexpr double kDay = 1440.0;

sim::StepContext day_step(std::int64_t step) {
  return {step, static_cast<double>(step) * kDay, kDay, 5};
}

/// 5 x 5 voxels of 20 um at 38 mmHg, a vessel at (2, 0), and donor chondrocytes holding
/// cartilage 0.4 at (0, 0) (40 um from the vessel), (4, 2) (57 um) and (2, 4) (80 um).
struct CallusWorld {
  sim::World w{sim::Lattice(5, 5, 1, 20.0), 1, 30.0};
  MatrixDepositionParams p;
  sim::Mechanisms m;
  CallusWorld() {
    declare_cell_types(w);
    declare_tissue_layers(w);
    sim::FieldSpec o2;
    o2.name = "oxygen";
    o2.initial_value = 38.0;
    p.oxygen_field = w.add_field(o2);
    p.cartilage_per_day = 0.0;  // only the conversion moves matrix
    p.bone_per_day = 0.0;
    p.endochondral_per_day = 0.2;
    p.bone_oxygen = {15.0, 2.0};
    const TissueState t = TissueState::of(w);
    t.vessel[index(2, 0)] = 1;
    auto& a = w.agents();
    const int lineage = a.column_index(kLineageColumn);
    for (const auto v : {index(0, 0), index(4, 2), index(2, 4)}) {
      a.column(lineage)[a.add(w.agent_type("chondrocyte"), v, 0)] = kDonorLineage;
      t.cartilage_matrix[v] = 0.4f;
      t.regen_direct[v] = 0.4f;
    }
  }
  sim::VoxelIndex index(int x, int y) const { return w.lattice().index(x, y, 0); }
  void step(std::int64_t k) {
    MatrixDeposition rule("matrix", p, m, w);
    rule.apply(sim::Phase::Secrete, w, day_step(k));
  }
};

// h(38; 15, 2) = 38^2 / (15^2 + 38^2) = 1444 / 1669; one day at r_e = 0.2.
constexpr double kMoved = 0.2 * 1444.0 / 1669.0;  // 0.1730

TEST(MatrixDeposition, CartilageTurnsIntoBoneOnlyNearAVessel) {
  CallusWorld s;
  ASSERT_EQ(s.p.ossification_vessel_distance_um, 40.0);
  const TissueState t = TissueState::of(s.w);
  s.step(0);
  EXPECT_NEAR(t.cartilage_matrix[s.index(0, 0)], 0.4 - kMoved, 1e-6);
  EXPECT_NEAR(t.bone_matrix[s.index(0, 0)], kMoved, 1e-6);
  EXPECT_FLOAT_EQ(t.regen_direct[s.index(0, 0)], 0.4f);  // provenance kept
  for (const auto v : {s.index(4, 2), s.index(2, 4)}) {  // beyond R_v: the cartilage waits
    EXPECT_FLOAT_EQ(t.cartilage_matrix[v], 0.4f);
    EXPECT_EQ(t.bone_matrix[v], 0.0f);
  }
  t.vessel[s.index(4, 3)] = 1;  // a sprout reaches (4, 2)
  s.step(1);
  EXPECT_NEAR(t.bone_matrix[s.index(4, 2)], kMoved, 1e-6);
  EXPECT_FLOAT_EQ(t.cartilage_matrix[s.index(2, 4)], 0.4f);
  EXPECT_NEAR(t.cartilage_matrix[s.index(0, 0)], 0.4 - 2.0 * kMoved, 1e-6);
}

TEST(MatrixDeposition, OnlyMatureCartilageIsInvaded) {
  CallusWorld s;
  ASSERT_EQ(s.p.ossification_min_matrix, 0.3);
  const TissueState t = TissueState::of(s.w);
  const auto v = s.index(0, 0);  // 40 um from the vessel
  t.cartilage_matrix[v] = 0.25f;
  s.step(0);
  EXPECT_FLOAT_EQ(t.cartilage_matrix[v], 0.25f);  // young template: no conversion
  EXPECT_EQ(t.bone_matrix[v], 0.0f);
  s.p.cartilage_per_day = 0.1;  // the chondrocyte lays down 0.1: 0.35 >= theta_hyp
  s.step(1);
  EXPECT_NEAR(t.cartilage_matrix[v], 0.35 - kMoved, 1e-6);
  EXPECT_NEAR(t.bone_matrix[v], kMoved, 1e-6);
  s.p.cartilage_per_day = 0.0;  // cartilage now below 0.3, but the template stays mature
  s.step(2);
  EXPECT_NEAR(t.bone_matrix[v], 2.0 * kMoved, 1e-6);
}

TEST(MatrixDeposition, InvadedCartilageOssifiesAfterItsChondrocyteHasGone) {
  for (const bool gate : {true, false}) {
    CallusWorld s;
    s.m.vascular_ossification = gate;
    const TissueState t = TissueState::of(s.w);
    const auto v = s.index(1, 0);  // 20 um from the vessel, no cell
    t.cartilage_matrix[v] = 0.4f;
    s.step(0);
    // With the gate the vessel brings the ossifying cells; without, only a cell converts.
    EXPECT_NEAR(t.bone_matrix[v], gate ? kMoved : 0.0, 1e-6) << "gate " << gate;
  }
}

TEST(MatrixDeposition, WithoutTheVesselGateOxygenAloneConverts) {
  CallusWorld s;
  s.m.vascular_ossification = false;
  const TissueState t = TissueState::of(s.w);
  s.step(0);
  for (const auto v : {s.index(0, 0), s.index(4, 2), s.index(2, 4)}) {
    EXPECT_NEAR(t.bone_matrix[v], kMoved, 1e-6);
  }
}

TEST(MatrixDeposition, VesselDistanceIsCheckedAndEuclidean) {
  CallusWorld s;
  s.p.ossification_vessel_distance_um = 60.0;  // now (4, 2) at 56.6 um is near, (2, 4) not
  const TissueState t = TissueState::of(s.w);
  s.step(0);
  EXPECT_NEAR(t.bone_matrix[s.index(4, 2)], kMoved, 1e-6);
  EXPECT_EQ(t.bone_matrix[s.index(2, 4)], 0.0f);

  sim::World w(sim::Lattice(3, 3, 1, 20.0), 1, 30.0);
  sim::FieldSpec o2;
  o2.name = "oxygen";
  w.add_field(o2);
  auto doc = sim::ConfigDocument::from_string(
      "oxygen_field = \"oxygen\"\nossification_vessel_distance_um = -5.0\n", "m.toml");
  sim::ConfigTable table = doc.root();
  try {
    MatrixDepositionParams::read(table, w);
    FAIL() << "a negative distance must be a config error";
  } catch (const sim::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("ossification_vessel_distance_um"), std::string::npos);
  }
}

}  // namespace
}  // namespace regensim::models
