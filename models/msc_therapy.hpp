#pragma once
/// The MSC therapy as one rule instance (docs/model.md#msc-therapy): a cell product
/// (source preset, donor, preparation), its delivery, and what the cells then do —
/// survive or die, divide, differentiate, secrete paracrine factors. Sub-tables
/// `delivery`, `survival`, `proliferation`, `differentiation`, `secretion.<factor>`
/// take the parameters; the source preset fills every default.
/// Migration is the `random_walk` rule (with chemotaxis) and oxygen use the `uptake`
/// rule, shared with the host cells.
#include <string>
#include <vector>

#include "models/msc_delivery.hpp"
#include "models/msc_fate.hpp"
#include "models/msc_product.hpp"
#include "sim/rules/registry.hpp"

namespace regensim::models {

/// One paracrine factor: rate = r * s_source * (1 + g_hyp * h_low(O2)) * (1 + g_lic * h(I)),
/// into `field` and, when given, into the MSC-origin copy `origin_field`.
struct FactorSecretion {
  std::string name;
  int field = -1;
  int origin_field = -1;
  double rate_per_min = 0.0;
  double hypoxia_gain = 0.0;
  HillParams hypoxia;
  double licensing_gain = 0.0;
  HillParams licensing;
  double rate(double oxygen, double inflammation, double source_scale) const;
};

class MscTherapy final : public sim::NamedRule {
 public:
  MscTherapy(const std::string& name, sim::ConfigTable& t, sim::RuleContext& ctx);
  sim::PhaseSet phases() const override {
    return {sim::Phase::Setup, sim::Phase::Decide, sim::Phase::Act, sim::Phase::Secrete};
  }
  void apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) override;
  std::vector<sim::MetricDef> metrics(const sim::World& world) const override;

  const CellProduct& product() const { return product_; }
  const DeliveryParams& delivery() const { return delivery_; }
  const std::vector<FactorSecretion>& factors() const { return factors_; }

 private:
  void secrete(sim::World& world) const;

  CellProduct product_;
  DeliveryParams delivery_;
  SignalFields signals_;
  MscFate fate_;
  std::vector<FactorSecretion> factors_;
  bool paracrine_on_ = true;
  sim::AgentType msc_ = 0;
  std::vector<std::int64_t> dose_steps_;
};

}  // namespace regensim::models
