// The five host rules together in a tiny 2D infarct built from config: it runs, volume
// fractions stay valid, inflammation rises and resolves, each mechanism switch changes
// what it should, 1 and 2 threads give the same tissue, and a restart from a checkpoint
// continues exactly (the rules keep no state outside the world).
#include <gtest/gtest.h>

#include <numeric>

#include "host_test_support.hpp"
#include "models/host_angiogenesis.hpp"
#include "models/metrics.hpp"
#include "sim/rules/registry.hpp"
#include "sim/run/checkpoint.hpp"
#include "sim/run/simulation.hpp"
#include "tests/test_support.hpp"

namespace regensim::models {
namespace {

std::string field(const std::string& name, double d, double half_life,
                  const std::string& extra = "") {
  return "[fields." + name + "]\nunits = \"ng/mL\"\ndiffusion_um2_per_min = " + std::to_string(d) +
         "\nhalf_life_min = " + std::to_string(half_life) + "\nmax_step_min = 10.0\n" + extra +
         "\n";
}

std::string infarct_config() {
  return testing::small_run_toml(30, 10.0, 60.0, 3) +
         testing::vessel_oxygen_toml("max_step_min = 2.0\n") + field("inflammation", 1000.0, 30.0) +
         field("anti_inflammatory", 180.0, 120.0) + field("trophic", 1650.0, 60.0) +
         field("trophic_msc", 1650.0, 60.0) + field("vegf", 1650.0, 60.0) +
         field("tgfb", 1650.0, 60.0) + R"(
[rules]
order = ["tissue", "capillaries", "fibroblasts", "inflammation", "macrophage_walk", "death",
         "scar", "fibroblast_walk", "angiogenesis", "repair"]

[rules.tissue]
rule = "tissue_map"
background = "myocardium"
regions = ["border", "core"]
[rules.tissue.border]
shape = "sphere"
radius_um = 220.0
injury = "border"
[rules.tissue.core]
shape = "sphere"
radius_um = 150.0
injury = "core"
viable = 0.0
necrotic = 0.9

[rules.capillaries]
rule = "vessel_network"
spacing_um = 100.0
avascular_radius_um = 150.0

[rules.fibroblasts]
rule = "place_cells"
cell_type = "fibroblast"
count = 30
radius_um = 200.0

[rules.inflammation]
rule = "host_inflammation"
tgfb_field = "tgfb"
trophic_field = "trophic"
vegf_field = "vegf"
m2_trophic_per_min = 0.01
m2_vegf_per_min = 0.02

[rules.macrophage_walk]
rule = "random_walk"
cell_types = ["macrophage"]
speed_um_per_hour = 20.0
chemotaxis_field = "inflammation"
chemotaxis_sensitivity = 2.0
chemotaxis_half_max = 0.05

[rules.death]
rule = "host_cell_death"
inflammation_field = "inflammation"
trophic_field = "trophic"

[rules.scar]
rule = "host_scar"
inflammation_field = "inflammation"
anti_inflammatory_field = "anti_inflammatory"
tgfb_half_max = 0.05
inflammation_half_max = 0.05

[rules.fibroblast_walk]
rule = "random_walk"
cell_types = ["fibroblast"]
speed_um_per_hour = 10.0

[rules.angiogenesis]
rule = "host_angiogenesis"
sprout_threshold = 0.05
sprout_rate_per_day = 0.5

[rules.repair]
rule = "host_repair"
stimulus_field = "trophic"
msc_origin_field = "trophic_msc"
base_rate_per_day = 0.1
stimulus_half_max = 0.05
)";
}

struct Outcome {
  std::vector<float> necrotic, collagen, regen_spontaneous, regen_paracrine;
  std::vector<std::uint8_t> vessel;
  std::vector<std::size_t> macrophages;  // per day
  double initial_necrotic = 0.0, initial_density = 0.0, final_density = 0.0;
};

Outcome run(const std::vector<std::string>& overrides, int threads = 1) {
  sim::RuleRegistry registry;
  sim::register_models(registry);
  auto doc = sim::ConfigDocument::from_string(infarct_config(), "infarct.toml");
  for (const auto& o : overrides) doc.apply_override(o);
  Outcome r;
  host_test::with_threads(threads, [&] {
    auto s = sim::Simulation::build(doc, registry);
    const auto& nec = s->world().tissue().find("necrotic")->fractions;
    r.initial_necrotic = std::accumulate(nec.begin(), nec.end(), 0.0);
    r.initial_density = capillary_density_per_mm2(s->world());
    const auto mac = s->world().agent_type("macrophage");
    while (!s->finished()) {
      s->step();
      if (s->world().step() % 24 == 0) {
        const auto& t = s->world().agents().types();
        r.macrophages.push_back(static_cast<std::size_t>(std::count(t.begin(), t.end(), mac)));
      }
    }
    EXPECT_TRUE(host_test::fractions_valid(s->world()));
    const auto& tissue = s->world().tissue();
    r.necrotic = tissue.find("necrotic")->fractions;
    r.collagen = tissue.find("collagen")->fractions;
    r.regen_spontaneous = tissue.find("regen_spontaneous")->fractions;
    r.regen_paracrine = tissue.find("regen_paracrine")->fractions;
    r.vessel = tissue.find("vessel")->classes;
    r.final_density = capillary_density_per_mm2(s->world());
  });
  return r;
}

double sum(const std::vector<float>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0);
}

TEST(HostScenario, InfarctHealsThroughInflammationScarAndRepair) {
  const Outcome r = run({});
  const auto peak = std::max_element(r.macrophages.begin(), r.macrophages.end());
  EXPECT_GT(*peak, 5u);
  EXPECT_LT(r.macrophages.back(), *peak);                // inflammation resolves
  EXPECT_LT(sum(r.necrotic), 0.5 * r.initial_necrotic);  // debris cleared
  EXPECT_GT(sum(r.collagen), 0.0);
  EXPECT_GT(sum(r.regen_spontaneous), 1.0);
  EXPECT_EQ(sum(r.regen_paracrine), 0.0);         // no MSCs: nothing is paracrine
  EXPECT_GT(r.final_density, r.initial_density);  // new vessels
}

TEST(HostScenario, EachMechanismSwitchRemovesItsProcess) {
  const std::string days = "simulation.duration_days=6.0";
  const Outcome base = run({days});
  const Outcome no_inflammation = run({days, "mechanisms.inflammation=false"});
  EXPECT_GT(base.macrophages.back(), 0u);
  EXPECT_EQ(no_inflammation.macrophages.back(), 0u);
  EXPECT_GT(sum(no_inflammation.necrotic), sum(base.necrotic));  // only resident clearance
  const Outcome no_scar = run({days, "mechanisms.scar=false"});
  EXPECT_GT(sum(base.collagen), 0.0);
  EXPECT_EQ(sum(no_scar.collagen), 0.0);
  const Outcome no_angio = run({days, "mechanisms.angiogenesis=false"});
  EXPECT_GT(base.final_density, base.initial_density);
  EXPECT_EQ(no_angio.final_density, no_angio.initial_density);
}

TEST(HostScenario, MscTrophicFactorMakesRepairParacrineOnlyWhenSecreted) {
  // MSCs secreting trophic factor into the total and its MSC-only shadow field.
  const std::vector<std::string> msc = {
      "simulation.duration_days=6.0",
      R"(rules.order=["tissue", "capillaries", "fibroblasts", "inject", "msc_trophic",
                     "msc_trophic_shadow", "inflammation", "macrophage_walk", "death", "scar",
                     "fibroblast_walk", "angiogenesis", "repair"])",
      R"(rules.inject={rule="place_cells", cell_type="msc", count=40, radius_um=150.0})",
      R"(rules.msc_trophic={rule="secretion", cell_types=["msc"], field="trophic", rate_per_min=0.01})",
      R"(rules.msc_trophic_shadow={rule="secretion", cell_types=["msc"], field="trophic_msc", rate_per_min=0.01})"};
  const Outcome treated = run(msc);
  std::vector<std::string> off = msc;
  off.push_back("mechanisms.paracrine=false");
  const Outcome no_paracrine = run(off);
  EXPECT_GT(sum(treated.regen_paracrine), 0.1 * sum(treated.regen_spontaneous));
  EXPECT_EQ(sum(no_paracrine.regen_paracrine), 0.0);
  EXPECT_GT(sum(treated.regen_paracrine) + sum(treated.regen_spontaneous),
            sum(no_paracrine.regen_spontaneous));
}

TEST(HostScenario, OneAndTwoThreadsGiveTheSameTissue) {
  // Two days keep the 2-thread run short on a shared 2-core machine.
  const Outcome one = run({"simulation.duration_days=2.0"}, 1);
  const Outcome two = run({"simulation.duration_days=2.0"}, 2);
  EXPECT_EQ(one.necrotic, two.necrotic);
  EXPECT_EQ(one.collagen, two.collagen);
  EXPECT_EQ(one.regen_spontaneous, two.regen_spontaneous);
  EXPECT_EQ(one.vessel, two.vessel);
  EXPECT_EQ(one.macrophages, two.macrophages);
  EXPECT_GT(one.macrophages.back(), 0u);
}

TEST(HostScenario, RestartFromCheckpointContinuesExactly) {
  const regensim::testing::TempDir dir;
  sim::RuleRegistry registry;
  sim::register_models(registry);
  auto doc = sim::ConfigDocument::from_string(infarct_config(), "infarct.toml");
  doc.apply_override("simulation.duration_days=4.0");
  auto a = sim::Simulation::build(doc, registry);
  for (int k = 0; k < 48; ++k) a->step();
  const std::string path = dir.file("c.checkpoint.h5");
  sim::write_checkpoint(path, *a, doc.to_toml(), {dir.file("x.h5"), {}});
  auto b = sim::read_checkpoint(path, registry).simulation;
  for (int k = 0; k < 48; ++k) {
    a->step();
    b->step();
  }
  const sim::World& wa = a->world();
  const sim::World& wb = b->world();
  EXPECT_GT(wa.agents().size(), 30u);
  EXPECT_EQ(wb.agents().ids(), wa.agents().ids());
  EXPECT_EQ(wb.agents().voxels(), wa.agents().voxels());
  for (const auto& name : wa.agents().column_names()) {
    EXPECT_EQ(wb.agents().column(wb.agents().column_index(name)),
              wa.agents().column(wa.agents().column_index(name)))
        << name;
  }
  for (const auto& layer : wa.tissue().layers()) {
    const sim::TissueLayer* other = wb.tissue().find(layer.name);
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->fractions, layer.fractions) << layer.name;
    EXPECT_EQ(other->classes, layer.classes) << layer.name;
  }
}

}  // namespace
}  // namespace regensim::models
