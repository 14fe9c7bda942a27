// The tissue-level rules on hand-built worlds: tissue_map paints what its regions say,
// matrix deposition and tissue uptake follow their formulas, and the outcome metrics and
// function index are the region means they are documented to be.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "models/cell_types.hpp"
#include "models/matrix_deposition.hpp"
#include "models/outcome_metrics.hpp"
#include "models/tissue_map.hpp"
#include "models/tissue_state.hpp"
#include "models/tissue_uptake.hpp"
#include "sim/config/config_table.hpp"
#include "sim/core/error.hpp"
#include "tests/test_support.hpp"

namespace regensim::models {
namespace {

using sim::Lattice;
using sim::World;

sim::StepContext ctx_at(std::int64_t step, double dt_min = 30.0) {
  return regensim::testing::step_context(step, dt_min, 5);
}

/// Reads `toml` as the table of one rule, through `read`, checking every key was used.
template <typename Read>
auto read_table(const std::string& toml, Read read) {
  auto doc = sim::ConfigDocument::from_string(toml, "rule.toml");
  sim::ConfigTable t = doc.root();
  auto p = read(t);
  t.finish();
  return p;
}

std::map<std::string, double> metric_values(const World& w, const std::vector<sim::MetricDef>& m) {
  std::map<std::string, double> out;
  for (const auto& d : m) out[d.name] = d.compute(w);
  return out;
}

TEST(TissueMap, PaintsRegionsInOrderWithTheirFractions) {
  World w(Lattice(10, 10, 1, 10.0), 1, 30.0);
  auto p = read_table(R"(background = "myocardium"
viable = 0.8
regions = ["zone", "core"]
[zone]
shape = "box"
min_um = [0.0, 0.0, 0.0]
max_um = [50.0, 100.0, 10.0]
injury = "border"
[core]
shape = "sphere"
center_um = [25.0, 50.0, 5.0]
radius_um = 20.0
injury = "core"
necrotic = 0.6
collagen = 0.1
)",
                      [](sim::ConfigTable& t) { return TissueMapParams::read(t); });
  TissueMap rule("tissue", p, w);
  rule.apply(sim::Phase::Setup, w, ctx_at(0));
  const TissueState t = TissueState::of(w);
  const auto at = [&](int x, int y) { return w.lattice().index(x, y, 0); };
  EXPECT_EQ(t.tissue_type[at(9, 9)], 4);  // myocardium
  EXPECT_FLOAT_EQ(t.viable[at(9, 9)], 0.8f);
  EXPECT_EQ(t.injury[at(9, 9)], kIntact);
  EXPECT_EQ(t.injury[at(0, 0)], kBorderZone);
  EXPECT_EQ(t.injury[at(2, 5)], kInjuryCore);  // centre (25, 55) µm is 5 µm away
  // A region that sets fractions sets the whole composition.
  EXPECT_FLOAT_EQ(t.viable[at(2, 5)], 0.0f);
  EXPECT_FLOAT_EQ(t.necrotic[at(2, 5)], 0.6f);
  EXPECT_FLOAT_EQ(t.free_space(at(2, 5)), 0.3f);
}

TEST(TissueMap, FractionsAboveOneAreAConfigError) {
  EXPECT_THROW(read_table("regions = [\"r\"]\n[r]\nmin_um = [0.0,0.0,0.0]\nmax_um = [1.0,1.0,1.0]\n"
                          "viable = 0.7\nnecrotic = 0.5\n",
                          [](sim::ConfigTable& t) { return TissueMapParams::read(t); }),
               sim::ConfigError);
}

TEST(TissueMap, VesselKeepFractionThinsVesselsBinomially) {
  World w(Lattice(100, 100, 1, 10.0), 1, 30.0);
  declare_tissue_layers(w);
  auto& vessel = w.tissue().find("vessel")->classes;
  std::fill(vessel.begin(), vessel.end(), 1);
  auto p = read_table(
      "regions = [\"r\"]\n[r]\nmin_um = [0.0,0.0,0.0]\nmax_um = [1000.0,1000.0,10.0]\n"
      "vessel_keep_fraction = 0.3\n",
      [](sim::ConfigTable& t) { return TissueMapParams::read(t); });
  TissueMap("tissue", p, w).apply(sim::Phase::Setup, w, ctx_at(0));
  const double kept = static_cast<double>(std::count(vessel.begin(), vessel.end(), 1));
  EXPECT_NEAR(kept, 3000.0, 4.0 * std::sqrt(10000 * 0.3 * 0.7));
}

TEST(MatrixDeposition, DonorCellsFillTheirVoxelAtTheirRateTaggedDirect) {
  World w(Lattice(3, 3, 1, 20.0), 1, 30.0);
  sim::FieldSpec o2;
  o2.name = "oxygen";
  o2.initial_value = 38.0;
  w.add_field(o2);
  auto p = read_table("oxygen_field = \"oxygen\"\ncartilage_per_day = 0.2\n",
                      [&](sim::ConfigTable& t) { return MatrixDepositionParams::read(t, w); });
  MatrixDeposition rule("matrix", p, sim::Mechanisms{}, w);
  auto& a = w.agents();
  const int lineage = a.column_index(kLineageColumn);
  a.column(lineage)[a.add(w.agent_type("chondrocyte"), 0, 0)] = kDonorLineage;
  a.add(w.agent_type("chondrocyte"), 1, 0);  // host lineage: host_repair's business
  a.column(lineage)[a.add(w.agent_type("chondrocyte"), 2, 0)] = kDonorLineage;
  TissueState t = TissueState::of(w);
  t.viable[0] = 0.5f;
  t.scar[2] = 1;  // scar blocks regeneration
  for (int s = 0; s < 48; ++s) rule.apply(sim::Phase::Secrete, w, ctx_at(s));  // one day
  EXPECT_NEAR(t.cartilage_matrix[0], 0.2f, 1e-5f);
  EXPECT_FLOAT_EQ(t.regen_direct[0], t.cartilage_matrix[0]);
  EXPECT_EQ(t.cartilage_matrix[1], 0.0f);
  EXPECT_EQ(t.cartilage_matrix[2], 0.0f);
  for (int s = 48; s < 48 * 5; ++s) rule.apply(sim::Phase::Secrete, w, ctx_at(s));
  EXPECT_NEAR(t.cartilage_matrix[0], 0.5f, 1e-5f);  // stops at the free space
}

TEST(TissueUptake, UptakeScalesWithConsumingTissueInListedKinds) {
  World w(Lattice(4, 1, 1, 20.0), 1, 30.0);
  sim::FieldSpec o2;
  o2.name = "oxygen";
  w.add_field(o2);
  auto p = read_table(
      "field = \"oxygen\"\nuptake_per_min = 40.0\nlayers = [\"viable\", \"contractile\"]\n"
      "tissue_types = [\"myocardium\"]\n",
      [&](sim::ConfigTable& t) { return TissueUptakeParams::read(t, w); });
  TissueState t = TissueState::of(w);
  for (int v = 0; v < 4; ++v) t.tissue_type[v] = 4;
  t.tissue_type[3] = 1;  // cartilage: not listed
  t.viable[0] = 1.0f;
  t.viable[1] = 0.25f;
  t.contractile[1] = 0.25f;
  t.viable[3] = 1.0f;
  TissueUptake("o2", p).apply(sim::Phase::Secrete, w, ctx_at(0));
  const auto& terms = w.field("oxygen").point_terms();
  ASSERT_EQ(terms.size(), 2u);  // voxel 2 holds nothing, voxel 3 is not myocardium
  EXPECT_FLOAT_EQ(terms[0].uptake_per_min, 40.0f);
  EXPECT_FLOAT_EQ(terms[1].uptake_per_min, 20.0f);
}

TEST(OutcomeMetrics, RegionMeansWithProvenanceSummingToTheTotal) {
  World w(Lattice(4, 1, 1, 20.0), 1, 30.0);
  declare_tissue_layers(w);
  TissueState t = TissueState::of(w);
  t.injury[1] = kInjuryCore;
  t.injury[2] = kBorderZone;
  t.cartilage_matrix[1] = 0.4f;
  t.regen_direct[1] = 0.4f;
  t.regen_paracrine[2] = 0.1f;
  t.regen_spontaneous[2] = 0.3f;
  t.regen_spontaneous[3] = 1.0f;  // intact voxel: outside the region
  t.scar[1] = 1;
  std::vector<sim::MetricDef> m;
  add_outcome_metrics(w, m);
  const auto v = metric_values(w, m);
  EXPECT_NEAR(v.at("regenerated_fraction"), 0.4, 1e-7);
  EXPECT_NEAR(v.at("regenerated_direct_fraction"), 0.2, 1e-7);
  EXPECT_NEAR(v.at("regenerated_paracrine_fraction"), 0.05, 1e-7);
  EXPECT_NEAR(v.at("regenerated_spontaneous_fraction"), 0.15, 1e-7);
  EXPECT_NEAR(v.at("regenerated_direct_fraction") + v.at("regenerated_paracrine_fraction") +
                  v.at("regenerated_spontaneous_fraction"),
              v.at("regenerated_fraction"), 1e-7);
  EXPECT_DOUBLE_EQ(v.at("scar_fraction"), 0.5);
}

TEST(FunctionIndex, WeightedMeanThresholdShareAndComplement) {
  World w(Lattice(4, 1, 1, 20.0), 1, 30.0);
  declare_tissue_layers(w);
  TissueState t = TissueState::of(w);
  for (int v = 0; v < 4; ++v) t.injury[v] = v < 2 ? kInjuryCore : kIntact;
  t.viable[0] = 0.2f;
  t.contractile[0] = 0.4f;
  t.viable[1] = 0.1f;
  t.viable[2] = 1.0f;
  t.viable[3] = 1.0f;
  const auto index = [&](const std::string& toml) {
    return FunctionIndex(
               "f", read_table(
                        toml, [&](sim::ConfigTable& c) { return FunctionIndexParams::read(c, w); }))
        .evaluate(w);
  };
  EXPECT_NEAR(index("weights = { viable = 1.0, contractile = 1.0 }\n"), (0.6 + 0.1) / 2, 1e-6);
  EXPECT_NEAR(index("weights = { viable = 1.0, contractile = 1.0 }\nthreshold = 0.5\n"), 0.5,
              1e-12);
  EXPECT_NEAR(index("weights = { viable = 1.0 }\nregion = \"all\"\ncomplement = true\n"),
              1.0 - (0.2 + 0.1 + 1.0 + 1.0) / 4, 1e-6);
  FunctionIndex named(
      "f", read_table("weights = { viable = 1.0 }\nmetric = \"infarct_size\"\n",
                      [&](sim::ConfigTable& c) { return FunctionIndexParams::read(c, w); }));
  EXPECT_EQ(named.metrics(w).at(0).name, "infarct_size");
  EXPECT_THROW(index("weights = { bogus = 1.0 }\n"), sim::ConfigError);
}

}  // namespace
}  // namespace regensim::models
