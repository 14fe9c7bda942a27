#include "models/msc_therapy.hpp"

#include <cmath>

#include "models/cell_types.hpp"
#include "models/tissue_state.hpp"
#include "sim/core/error.hpp"

namespace regensim::models {

namespace {

FactorSecretion read_factor(sim::ConfigTable& t, const std::string& name, const sim::World& world) {
  FactorSecretion f;
  f.name = name;
  f.field = field_index(t, "field", world);
  f.origin_field = optional_field_index(t, "origin_field", world);
  f.rate_per_min = t.get_double("rate_per_min", sim::non_negative());
  // Hypoxia raises MSC VEGF secretion; inflammatory licensing (PBMC co-culture) raises
  // it about 3-fold (parameters.md row 12). Gains default to none.
  f.hypoxia_gain = t.get_double("hypoxia_gain", 0.0, sim::non_negative());
  const HillParams hyp{15.0, 2.0};
  f.hypoxia = HillParams::read(t, "hypoxia", &hyp);
  f.licensing_gain = t.get_double("licensing_gain", 0.0, sim::non_negative());
  const HillParams lic{1.0, 1.0};
  f.licensing = HillParams::read(t, "licensing", &lic);
  return f;
}

/// Reads the sub-table `key` (created empty when absent), then checks it was used up.
template <typename Read>
auto read_sub(sim::ConfigTable& t, const std::string& key, Read read) {
  sim::ConfigTable sub = t.optional_table(key);
  auto value = read(sub);
  sub.finish();
  return value;
}

}  // namespace

double FactorSecretion::rate(double oxygen, double inflammation, double source_scale) const {
  return rate_per_min * source_scale * (1.0 + hypoxia_gain * hypoxia.low(oxygen)) *
         (1.0 + licensing_gain * licensing(inflammation));
}

MscTherapy::MscTherapy(const std::string& name, sim::ConfigTable& t, sim::RuleContext& ctx)
    : NamedRule(name),
      product_(CellProduct::read(t)),
      delivery_(read_sub(t, "delivery",
                         [&](sim::ConfigTable& s) { return DeliveryParams::read(s, ctx.world); })),
      signals_(SignalFields::read(t, ctx.world)),
      fate_(read_sub(t, "survival",
                     [&](sim::ConfigTable& s) { return SurvivalParams::read(s, product_); }),
            read_sub(t, "proliferation",
                     [&](sim::ConfigTable& s) { return ProliferationParams::read(s, product_); }),
            read_sub(t, "differentiation",
                     [&](sim::ConfigTable& s) {
                       return DifferentiationParams::read(s, product_,
                                                          ctx.mechanisms.differentiation);
                     }),
            signals_, ctx.world),
      paracrine_on_(ctx.mechanisms.paracrine) {
  declare_cell_types(ctx.world);
  declare_tissue_layers(ctx.world);
  msc_ = ctx.world.agent_type("msc");
  sim::ConfigTable secretion = t.optional_table("secretion");
  for (const auto& factor : secretion.keys()) {
    sim::ConfigTable f = secretion.table(factor);
    factors_.push_back(read_factor(f, factor, ctx.world));
    f.finish();
  }
  secretion.finish();
  for (const double day : delivery_.days) {
    const std::int64_t step = std::llround(day * 24.0 * 60.0 / ctx.world.step_min());
    if (!dose_steps_.empty() && step == dose_steps_.back()) {
      throw sim::ConfigError(delivery_.where + ": two dose days fall on the same " +
                             std::to_string(ctx.world.step_min()) +
                             "-minute step; doses are given at the nearest step");
    }
    dose_steps_.push_back(step);
  }
  ctx.world.add_note(name + ": " + delivery_.scaling_note(product_));
}

void MscTherapy::apply(sim::Phase phase, sim::World& world, const sim::StepContext& ctx) {
  const sim::StreamId stream = sim::stream_for(name());
  switch (phase) {
    case sim::Phase::Setup:
      world.counters()["msc_injected"] += 0.0;  // the metric exists even for a sham
      if (!dose_steps_.empty() && dose_steps_.front() == 0) {
        deliver_dose(delivery_, product_, world, ctx, stream, msc_, true);
      }
      break;
    case sim::Phase::Decide:
      fate_.decide(world, ctx, stream);
      break;
    case sim::Phase::Act:
      for (const auto s : dose_steps_) {
        if (s > 0 && s == ctx.step)
          deliver_dose(delivery_, product_, world, ctx, stream, msc_, false);
      }
      fate_.divide(world, ctx, stream);
      break;
    case sim::Phase::Secrete:
      if (paracrine_on_) secrete(world);
      break;
    case sim::Phase::Sense:
      break;
  }
}

void MscTherapy::secrete(sim::World& world) const {
  const auto& agents = world.agents();
  const auto& types = agents.types();
  const auto& voxels = agents.voxels();
  const double scale = product_.source->secretion_scale;
  for (const auto& f : factors_) {
    auto& terms = world.fields()[static_cast<std::size_t>(f.field)].point_terms();
    auto* origin = f.origin_field >= 0 && f.origin_field != f.field
                       ? &world.fields()[static_cast<std::size_t>(f.origin_field)].point_terms()
                       : nullptr;
    for (std::size_t s = 0; s < agents.size(); ++s) {
      if (types[s] != msc_ || agents.is_marked(static_cast<sim::AgentSlot>(s))) continue;
      const sim::VoxelIndex v = voxels[s];
      const auto r =
          static_cast<float>(f.rate(SignalFields::at(world, signals_.oxygen, v),
                                    SignalFields::at(world, signals_.inflammation, v), scale));
      terms.push_back({v, r, 0.0f});
      if (origin != nullptr) origin->push_back({v, r, 0.0f});
    }
  }
}

std::vector<sim::MetricDef> MscTherapy::metrics(const sim::World&) const {
  return {{"msc_survival_fraction", "donor-lineage cells alive / MSCs injected (lattice cells)",
           [](const sim::World& w) {
             const auto it = w.counters().find("msc_injected");
             if (it == w.counters().end() || it->second <= 0.0) return 0.0;
             const int col = w.agents().column_index(kLineageColumn);
             const auto& lineage = w.agents().column(col);
             double alive = 0.0;
             for (std::size_t s = 0; s < lineage.size(); ++s) {
               if (lineage[s] == kDonorLineage &&
                   !w.agents().is_marked(static_cast<sim::AgentSlot>(s))) {
                 alive += 1.0;
               }
             }
             return alive / it->second;
           }}};
}

}  // namespace regensim::models
