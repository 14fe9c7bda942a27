// The host response rules, registered by name (docs/host-model.md).
#include "models/host_register.hpp"

#include "models/host_angiogenesis.hpp"
#include "models/host_cell_death.hpp"
#include "models/host_hypoxic_vegf.hpp"
#include "models/host_inflammation.hpp"
#include "models/host_repair.hpp"
#include "models/host_scar.hpp"

namespace regensim::models {

void register_host_models(sim::RuleRegistry& registry) {
  using sim::ConfigTable;
  using sim::RuleContext;
  registry.add_rule(
      "host_cell_death",
      "act: hypoxia and inflammation turn viable native tissue necrotic; trophic factor protects",
      [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
        return std::make_unique<HostCellDeath>(instance, HostCellDeathParams::read(t, ctx.world),
                                               ctx.mechanisms, ctx.world);
      });
  registry.add_rule(
      "host_repair",
      "act: host progenitors regrow native tissue at injured voxels (spontaneous + paracrine)",
      [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
        return std::make_unique<HostRepair>(instance, HostRepairParams::read(t, ctx.world),
                                            ctx.world);
      });
  registry.add_rule(
      "host_inflammation",
      "act+secrete: necrosis signals inflammation; macrophages recruited at vessels, M1 -> M2, "
      "clear debris (off when mechanisms.inflammation = false)",
      [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
        return std::make_unique<HostInflammation>(
            instance, HostInflammationParams::read(t, ctx.world), ctx.mechanisms, ctx.world);
      });
  registry.add_rule(
      "host_scar",
      "act: TGF-beta and inflammation activate fibroblasts into myofibroblasts that lay down "
      "collagen; collagen above a threshold is scar; an optional anti-fibrotic factor brakes "
      "it (off when mechanisms.scar = false; anti-fibrotic terms: mechanisms.antifibrotic)",
      [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
        return std::make_unique<HostScar>(instance, HostScarParams::read(t, ctx.world),
                                          ctx.mechanisms, ctx.world);
      });
  registry.add_rule(
      "host_angiogenesis",
      "act: tip cells sprout where VEGF exceeds a threshold, climb its gradient leaving vessel, "
      "branch and fuse (off when mechanisms.angiogenesis = false)",
      [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
        return std::make_unique<HostAngiogenesis>(
            instance, HostAngiogenesisParams::read(t, ctx.world), ctx.mechanisms, ctx.world);
      });
  registry.add_rule(
      "host_hypoxic_vegf",
      "secrete: living host tissue below an oxygen threshold secretes VEGF (HIF-1alpha; off "
      "when mechanisms.hypoxic_vegf = false)",
      [](const std::string& instance, ConfigTable& t, RuleContext& ctx) {
        return std::make_unique<HostHypoxicVegf>(
            instance, HostHypoxicVegfParams::read(t, ctx.world), ctx.mechanisms, ctx.world);
      });
}

}  // namespace regensim::models
