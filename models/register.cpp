// The one place where the biology is made known to the engine (design.md): each rule
// is registered by name with its factory; a config chooses and parameterises them.
#include "models/metrics.hpp"
#include "models/place_cells.hpp"
#include "models/random_walk.hpp"
#include "models/secretion_uptake.hpp"
#include "models/vessel_network.hpp"
#include "sim/rules/registry.hpp"

namespace regensim::sim {

void register_models(RuleRegistry& registry) {
  using models::CellFieldCouplingParams;
  registry.add_rule("vessel_network",
                    "setup: straight capillaries on a square grid (tissue layer 'vessel')",
                    [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
                      return std::make_unique<models::VesselNetwork>(
                          instance, models::VesselNetworkParams::read(t), ctx.world);
                    });
  registry.add_rule("place_cells",
                    "setup: place cells of one type at random in a sphere (local injection)",
                    [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
                      return std::make_unique<models::PlaceCells>(
                          instance, models::PlaceCellsParams::read(t, ctx.world));
                    });
  registry.add_rule("uptake", "secrete: first-order uptake of a field by cells",
                    [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
                      return std::make_unique<models::Uptake>(instance,
                                                              models::Uptake::read(t, ctx.world));
                    });
  registry.add_rule("secretion",
                    "secrete: constant secretion of a field by cells (off when "
                    "mechanisms.paracrine = false)",
                    [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
                      return std::make_unique<models::Secretion>(
                          instance, models::Secretion::read(t, ctx.world), ctx.mechanisms);
                    });
  registry.add_rule("random_walk", "act: lattice random walk with volume exclusion",
                    [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
                      return std::make_unique<models::RandomWalk>(
                          instance, models::RandomWalkParams::read(t, ctx.world));
                    });
  registry.add_metrics(models::add_standard_metrics);
}

}  // namespace regensim::sim
