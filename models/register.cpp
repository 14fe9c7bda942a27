// The one place where the biology is made known to the engine (design.md): each rule
// is registered by name with its factory; a config chooses and parameterises them.
#include "models/host_register.hpp"
#include "models/matrix_deposition.hpp"
#include "models/metrics.hpp"
#include "models/msc_therapy.hpp"
#include "models/outcome_metrics.hpp"
#include "models/place_cells.hpp"
#include "models/random_walk.hpp"
#include "models/secretion_uptake.hpp"
#include "models/tissue_map.hpp"
#include "models/tissue_uptake.hpp"
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
  registry.add_rule("tissue_map",
                    "setup: the scenario's tissue kinds, injury zones and volume fractions",
                    [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
                      return std::make_unique<models::TissueMap>(
                          instance, models::TissueMapParams::read(t), ctx.world);
                    });
  registry.add_rule("msc_therapy",
                    "MSC product, delivery, survival, proliferation, differentiation "
                    "(mechanisms.differentiation) and paracrine secretion (mechanisms.paracrine)",
                    [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
                      return std::make_unique<models::MscTherapy>(instance, t, ctx);
                    });
  registry.add_rule("matrix_deposition",
                    "secrete: differentiated donor cells lay down cartilage, bone or "
                    "contractile tissue (provenance direct)",
                    [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
                      return std::make_unique<models::MatrixDeposition>(
                          instance, models::MatrixDepositionParams::read(t, ctx.world),
                          ctx.mechanisms, ctx.world);
                    });
  registry.add_rule("function_index", "metric: the scenario's function index (function_index)",
                    [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
                      return std::make_unique<models::FunctionIndex>(
                          instance, models::FunctionIndexParams::read(t, ctx.world));
                    });
  registry.add_rule("tissue_uptake",
                    "secrete: first-order uptake of a field by tissue (e.g. oxygen used by "
                    "viable myocardium)",
                    [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
                      return std::make_unique<models::TissueUptake>(
                          instance, models::TissueUptakeParams::read(t, ctx.world));
                    });
  models::register_host_models(registry);
  registry.add_metrics(models::add_standard_metrics);
  registry.add_metrics(models::add_outcome_metrics);
}

}  // namespace regensim::sim
