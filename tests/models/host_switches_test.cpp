// The three newer [mechanisms] switches on small scenarios built from config
// (docs/config.md#mechanisms): each switch, turned off, removes its process and changes
// the outcome as docs/host-model.md and docs/model.md say, and the switched-on run is
// shown to have exercised the process, so no test can pass because nothing happened.
// HostScenario.EachMechanismSwitchRemovesItsProcess covers the older switches.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "host_test_support.hpp"
#include "models/tissue_state.hpp"
#include "sim/run/simulation.hpp"
#include "tests/models/msc_test_support.hpp"

namespace regensim::models {
namespace {

std::unique_ptr<sim::Simulation> build(const std::string& toml,
                                       const std::vector<std::string>& overrides) {
  std::unique_ptr<sim::Simulation> s;
  // One thread: results do not depend on it, and the test machines' cores are shared.
  host_test::with_threads(1, [&] { s = testing::build(toml, overrides); });
  return s;
}

void run_to_end(sim::Simulation& s) {
  host_test::with_threads(1, [&] {
    while (!s.finished()) s.step();
  });
}

double sum(const float* v, std::size_t n) {
  return std::accumulate(v, v + n, 0.0);
}

std::size_t count(const std::uint8_t* v, std::size_t n) {
  return static_cast<std::size_t>(std::count_if(v, v + n, [](std::uint8_t c) { return c != 0; }));
}

std::size_t count_type(const sim::World& w, const char* type) {
  const auto code = w.agent_type(type);
  const auto& t = w.agents().types();
  return static_cast<std::size_t>(std::count(t.begin(), t.end(), code));
}

std::size_t field_index(const sim::World& w, const std::string& name) {
  for (std::size_t i = 0; i < w.fields().size(); ++i) {
    if (w.fields()[i].name() == name) return i;
  }
  ADD_FAILURE() << "no field " << name;
  return 0;
}

// ---------------------------------------------------------------------------------------
// hypoxic_vegf

/// Intact myocardium whose vessels hold oxygen at 38 mmHg, with an avascular core of
/// radius 300 µm where the tissue's own uptake (100 µm oxygen range) leaves it hypoxic.
/// No cell secretes VEGF, so any VEGF is the host's. Default sprout threshold (0.6
/// ng/mL, row 22), so the mildly hypoxic vascularised tissue alone cannot sprout.
/// `with_rule` = false leaves host_hypoxic_vegf out of the scenario altogether.
std::string hypoxic_core_config(bool with_rule = true) {
  const std::string order = with_rule ? R"("tissue_o2", "hypoxic_vegf", "angiogenesis")"
                                      : R"("tissue_o2", "angiogenesis")";
  const std::string rule = with_rule ? R"(
[rules.hypoxic_vegf]
rule = "host_hypoxic_vegf"
max_secretion_per_min = 0.4
)"
                                     : "";
  return testing::small_run_toml(40, 3.0, 60.0, 11) +
         testing::vessel_oxygen_toml("max_step_min = 1.0\n") + R"([fields.vegf]
units = "ng/mL"
diffusion_um2_per_min = 1650.0
half_life_min = 60.0
max_step_min = 10.0

[rules]
order = ["tissue", "capillaries", )" +
         order + R"(]

[rules.tissue]
rule = "tissue_map"
background = "myocardium"

[rules.capillaries]
rule = "vessel_network"
spacing_um = 100.0
avascular_radius_um = 300.0

[rules.tissue_o2]
rule = "tissue_uptake"
field = "oxygen"
uptake_per_min = 10.0
)" + rule +
         R"(
[rules.angiogenesis]
rule = "host_angiogenesis"
sprout_rate_per_day = 0.5
)";
}

struct VesselOutcome {
  std::size_t vessels_before = 0, vessels_after = 0, tips = 0;
  double vegf_secreted = 0.0, vegf_total = 0.0, min_oxygen_before = 0.0;
  std::vector<std::uint8_t> vessel;
  std::vector<float> oxygen;
};

VesselOutcome run_hypoxic_core(const std::vector<std::string>& overrides, bool with_rule = true) {
  auto s = build(hypoxic_core_config(with_rule), overrides);
  VesselOutcome r;
  const TissueState t = TissueState::of(s->world());
  r.vessels_before = count(t.vessel, t.size);
  s->step();  // one step for the oxygen profile to settle before reading the core's pO2
  const auto o2 = field_index(s->world(), "oxygen");
  const auto& o2_values = s->world().fields()[o2].values();
  r.min_oxygen_before = *std::min_element(o2_values.begin(), o2_values.end());
  run_to_end(*s);
  const auto vegf = field_index(s->world(), "vegf");
  r.vessels_after = count(t.vessel, t.size);
  r.tips = count_type(s->world(), "endothelial_tip");
  r.vegf_secreted = s->balances()[vegf].secreted;
  r.vegf_total = s->world().fields()[vegf].total();
  r.vessel.assign(t.vessel, t.vessel + t.size);
  r.oxygen = s->world().fields()[o2].values();
  return r;
}

TEST(HostSwitches, HypoxicVegfOffLeavesTheHypoxicCoreWithoutVegfOrSprouts) {
  const VesselOutcome on = run_hypoxic_core({});
  const VesselOutcome off = run_hypoxic_core({"mechanisms.hypoxic_vegf=false"});
  const VesselOutcome no_rule = run_hypoxic_core({}, false);
  // The core is hypoxic enough (below K_O = 8 mmHg) for HIF-1alpha to switch VEGF on.
  ASSERT_LT(on.min_oxygen_before, 8.0);
  ASSERT_LT(off.min_oxygen_before, 8.0);
  // On: the host alone makes VEGF and draws sprouts into the core.
  EXPECT_GT(on.vegf_secreted, 0.0);
  EXPECT_GT(on.vessels_after, on.vessels_before) << "tips " << on.tips;
  // Off: the same hypoxic tissue makes no VEGF, so no vessel grows.
  EXPECT_EQ(off.vegf_secreted, 0.0);
  EXPECT_EQ(off.vegf_total, 0.0);
  EXPECT_EQ(off.tips, 0u);
  EXPECT_EQ(off.vessels_after, off.vessels_before);
  EXPECT_EQ(off.vessels_before, on.vessels_before);
  // "The rule does nothing": exactly as if it were not in the scenario.
  EXPECT_EQ(off.vessel, no_rule.vessel);
  EXPECT_EQ(off.oxygen, no_rule.oxygen);
}

// ---------------------------------------------------------------------------------------
// antifibrotic

/// Fibroblasts in loose soft tissue (room for collagen) under a uniform, steady TGF-beta
/// at its half-max, and a uniform, steady anti-fibrotic factor H at its half-max
/// (a = 0.5: activation x 0.6, deposition x 0.75, young collagen turned over at
/// 0.05/day). Steady fields, so the factor is present everywhere for the whole run.
/// `with_factor` = false gives host_scar no antifibrotic_field.
std::string fibrosis_config(bool with_factor = true) {
  const auto steady = [](const char* name, double value) {
    return std::string("[fields.") + name +
           "]\nunits = \"ng/mL\"\ndiffusion_um2_per_min = 1000.0\nhalf_life_min = inf\n"
           "max_step_min = 30.0\ninitial_value = " +
           std::to_string(value) + "\n\n";
  };
  return testing::small_run_toml(20, 6.0, 60.0, 5) + steady("tgfb", 1.0) + steady("hgf", 1.0) + R"(
[rules]
order = ["tissue", "fibroblasts", "scar"]

[rules.tissue]
rule = "tissue_map"
background = "soft_tissue"
viable = 0.2

[rules.fibroblasts]
rule = "place_cells"
cell_type = "fibroblast"
count = 80
radius_um = 1.0e4

[rules.scar]
rule = "host_scar"
tgfb_field = "tgfb"
)" + (with_factor ? "antifibrotic_field = \"hgf\"\n" : "");
}

struct FibrosisOutcome {
  std::vector<float> collagen;
  double total_collagen = 0.0;
  std::size_t scar_voxels = 0, myofibroblasts = 0, fibroblasts = 0;
};

FibrosisOutcome run_fibrosis(const std::vector<std::string>& overrides, bool with_factor = true) {
  auto s = build(fibrosis_config(with_factor), overrides);
  run_to_end(*s);
  const TissueState t = TissueState::of(s->world());
  FibrosisOutcome r;
  r.collagen.assign(t.collagen, t.collagen + t.size);
  r.total_collagen = sum(t.collagen, t.size);
  r.scar_voxels = count(t.scar, t.size);
  const auto& a = s->world().agents();
  const auto& myo = a.column(a.column_index("myofibroblast"));
  r.fibroblasts = count_type(s->world(), "fibroblast");
  r.myofibroblasts = static_cast<std::size_t>(std::count(myo.begin(), myo.end(), 1.0f));
  return r;
}

TEST(HostSwitches, AntifibroticOffLeavesMoreCollagenWhereTheFactorIsPresent) {
  const FibrosisOutcome on = run_fibrosis({});
  const FibrosisOutcome off = run_fibrosis({"mechanisms.antifibrotic=false"});
  const FibrosisOutcome no_factor = run_fibrosis({}, false);
  // The scar process ran in the switched-on run: the factor slows it, it does not stop it.
  EXPECT_GT(on.myofibroblasts, 0u);
  EXPECT_GT(on.total_collagen, 0.0);
  // Off: the factor is still there but acts on nothing, so markedly more collagen.
  EXPECT_GT(off.total_collagen, 1.5 * on.total_collagen) << "on " << on.total_collagen;
  EXPECT_GE(off.scar_voxels, on.scar_voxels);
  // "The terms are absent": exactly the run without a factor field.
  EXPECT_EQ(off.collagen, no_factor.collagen);
}

// ---------------------------------------------------------------------------------------
// vascular_ossification

/// Donor MSCs filling most of a 400 µm block with four straight capillaries, in TGF-beta
/// and no BMP-2, so they become chondrocytes (oxygen gate raised to 40 mmHg, as in the
/// bone scenario) and never osteoblasts: every bit of bone is converted cartilage. Fast
/// fates and deposition (template mature after a day) keep the run to four days.
std::string callus_config() {
  testing::MscWorld w;
  w.n = 20;
  w.days = 4.0;
  w.tgfb = 10.0;
  w.mechanisms = "differentiation = true\nparacrine = false\n";
  w.therapy = "viability = 1.0\n";
  w.tables =
      "[rules.therapy.delivery]\ndose_cells = 300\nretention_1h = 1.0\nradius_um = 1.0e5\n"
      "days = [0.0]\n\n"
      "[rules.therapy.proliferation]\nin_vivo_fraction = 0.0\n\n"
      "[rules.therapy.survival]\ndeath_per_day = 0.0\nhypoxia_death_per_day = 0.0\n\n"
      "[rules.therapy.differentiation]\nmin_age_days = 0.0\nmax_rate_per_day = 2.0\n"
      "chondrocyte_delay_days = 0.25\nchondro_oxygen_half_max = 40.0\n\n"
      "[rules.capillaries]\nrule = \"vessel_network\"\nspacing_um = 200.0\n\n"
      "[rules.matrix]\nrule = \"matrix_deposition\"\noxygen_field = \"oxygen\"\n"
      "cartilage_per_day = 0.3\nbone_per_day = 0.0\nendochondral_per_day = 0.5\n";
  return w.toml();
}

// Vessels first, so delivery (which avoids vessel voxels) sees them.
const std::string kCallusOrder = R"(rules.order=["tissue", "capillaries", "therapy", "matrix"])";
constexpr double kVesselDistanceUm = 40.0;  // R_v, the matrix_deposition default

struct CallusOutcome {
  double bone_near = 0.0, bone_far = 0.0, cartilage = 0.0;
  std::size_t chondrocytes = 0, osteoblasts = 0, vessels = 0, far_voxels = 0;
  std::size_t immature_with_bone = 0;  // voxels whose template < theta_hyp yet hold bone
};

CallusOutcome run_callus(const std::vector<std::string>& overrides) {
  auto s = build(callus_config(), overrides);
  run_to_end(*s);
  sim::World& w = s->world();
  const TissueState t = TissueState::of(w);
  const sim::Lattice& lat = w.lattice();
  const double h = lat.voxel_size_um();
  std::vector<sim::Coord> vessels;
  for (std::size_t v = 0; v < t.size; ++v) {
    if (t.vessel[v] != 0) vessels.push_back(lat.coord(static_cast<sim::VoxelIndex>(v)));
  }
  CallusOutcome r;
  r.vessels = vessels.size();
  for (std::size_t v = 0; v < t.size; ++v) {
    const sim::Coord c = lat.coord(static_cast<sim::VoxelIndex>(v));
    const bool near = std::any_of(vessels.begin(), vessels.end(), [&](const sim::Coord& q) {
      const double dx = (c.x - q.x) * h, dy = (c.y - q.y) * h;
      return dx * dx + dy * dy <= kVesselDistanceUm * kVesselDistanceUm;
    });
    (near ? r.bone_near : r.bone_far) += t.bone_matrix[v];
    r.far_voxels += near ? 0 : 1;
    r.cartilage += t.cartilage_matrix[v];
    if (t.bone_matrix[v] > 0.0f && t.cartilage_matrix[v] + t.bone_matrix[v] < 0.3f) {
      ++r.immature_with_bone;
    }
  }
  r.chondrocytes = count_type(w, "chondrocyte");
  r.osteoblasts = count_type(w, "osteoblast");
  return r;
}

TEST(HostSwitches, VascularOssificationOffConvertsCartilageFarFromVessels) {
  const CallusOutcome on = run_callus({kCallusOrder});
  const CallusOutcome off = run_callus({kCallusOrder, "mechanisms.vascular_ossification=false"});
  // A callus formed, with room far from the vessels, and no bone from osteoblasts.
  ASSERT_GT(on.vessels, 0u);
  ASSERT_GT(on.far_voxels, on.vessels);
  EXPECT_GT(on.chondrocytes, 50u);
  EXPECT_EQ(on.osteoblasts, 0u);
  EXPECT_EQ(off.osteoblasts, 0u);
  EXPECT_GT(on.cartilage, 0.0);
  // On: converted only within R_v of a vessel and only from a mature template...
  EXPECT_GT(on.bone_near, 0.0);
  EXPECT_EQ(on.bone_far, 0.0) << "far from every vessel, in " << on.far_voxels << " voxels";
  EXPECT_EQ(on.immature_with_bone, 0u);
  // ...off: oxygen alone gates it, so cartilage far from every vessel turns into bone too.
  EXPECT_GT(off.bone_far, 0.0);
  EXPECT_GT(off.bone_near + off.bone_far, on.bone_near + on.bone_far)
      << "off near " << off.bone_near << ", on near " << on.bone_near;
}

}  // namespace
}  // namespace regensim::models
