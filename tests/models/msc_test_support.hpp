#pragma once
// Small worlds for the MSC therapy tests: uniform, steady fields (no decay, no sinks)
// so each rule's rates can be compared with their formulas.
#include <memory>
#include <string>
#include <vector>

#include "sim/config/config_table.hpp"
#include "sim/rules/registry.hpp"
#include "sim/run/simulation.hpp"
#include "tests/test_support.hpp"

namespace regensim::testing {

struct MscWorld {
  int n = 40;            // lattice n x n (2D), 20 µm voxels
  double oxygen = 38.0;  // uniform, mmHg
  double tgfb = 0.0;     // uniform signals
  double bmp2 = 0.0;
  double inflammation = 0.0;
  double days = 1.0;
  std::string mechanisms = "differentiation = true\nparacrine = true\n";
  std::string therapy;      // extra keys of [rules.therapy] (after the defaults)
  std::string tables;       // extra tables (e.g. [rules.therapy.survival])
  std::string extra_rules;  // appended to rules.order, with their tables in `tables`

  std::string toml() const {
    const auto field = [](const char* name, double value) {
      return std::string("[fields.") + name +
             "]\nunits = \"a.u.\"\ndiffusion_um2_per_min = 1000.0\n" +
             "half_life_min = inf\nmax_step_min = 30.0\ninitial_value = " + std::to_string(value) +
             "\n\n";
    };
    return testing::small_run_toml(n, days, 30.0, 3) + field("oxygen", oxygen) +
           field("tgfb", tgfb) + field("bmp2", bmp2) + field("inflammation", inflammation) +
           field("trophic", 0.0) + "[mechanisms]\n" + mechanisms +
           "\n[rules]\norder = [\"tissue\", \"therapy\"" + extra_rules +
           "]\n\n[rules.tissue]\nrule = \"tissue_map\"\nbackground = \"soft_tissue\"\n" +
           "viable = 0.0\n\n[rules.therapy]\nrule = \"msc_therapy\"\noxygen_field = \"oxygen\"\n" +
           "tgfb_field = \"tgfb\"\nbmp2_field = \"bmp2\"\ninflammation_field = \"inflammation\"\n" +
           "trophic_field = \"trophic\"\n" + therapy + "\n" + tables;
  }
};

/// A simulation of `toml` with `--set`-style overrides (key=value) applied.
inline std::unique_ptr<sim::Simulation> build(const std::string& toml,
                                              const std::vector<std::string>& overrides = {}) {
  auto doc = sim::ConfigDocument::from_string(toml, "test.toml");
  for (const auto& o : overrides) doc.apply_override(o);
  sim::RuleRegistry registry;
  sim::register_models(registry);
  return sim::Simulation::build(doc, registry);
}

}  // namespace regensim::testing
