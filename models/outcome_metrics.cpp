#include "models/outcome_metrics.hpp"

#include "models/tissue_state.hpp"
#include "sim/core/format.hpp"

namespace regensim::models {

namespace {

const std::vector<float>& fractions(const sim::World& w, const char* name) {
  return w.tissue().find(name)->fractions;
}

using Region = FunctionIndexParams::Region;

/// Sum of `value(v)` over the region's voxels, divided by their number (0 if none).
template <typename Value>
double region_mean(const sim::World& w, Region region, Value value) {
  const auto& injury = w.tissue().find("injury")->classes;
  double sum = 0.0;
  std::size_t n = 0;
  for (std::size_t v = 0; v < injury.size(); ++v) {
    if (region != Region::All &&
        (injury[v] == kIntact || (region == Region::Core && injury[v] != kInjuryCore))) {
      continue;
    }
    sum += value(v);
    ++n;
  }
  return n == 0 ? 0.0 : sum / static_cast<double>(n);
}

}  // namespace

void add_outcome_metrics(const sim::World& world, std::vector<sim::MetricDef>& out) {
  if (world.tissue().find("injury") == nullptr) return;
  const char* unit = "volume fraction of the injury region";
  out.push_back({"regenerated_fraction", unit, [](const sim::World& w) {
                   const auto& c = fractions(w, "cartilage_matrix");
                   const auto& b = fractions(w, "bone_matrix");
                   const auto& m = fractions(w, "contractile");
                   const auto& p = fractions(w, "regen_paracrine");
                   const auto& s = fractions(w, "regen_spontaneous");
                   return region_mean(w, Region::Injury, [&](std::size_t v) {
                     return double(c[v]) + b[v] + m[v] + p[v] + s[v];
                   });
                 }});
  for (const char* route : {"direct", "paracrine", "spontaneous"}) {
    const std::string layer = std::string("regen_") + route;
    out.push_back(
        {std::string("regenerated_") + route + "_fraction", unit, [layer](const sim::World& w) {
           const auto& f = w.tissue().find(layer)->fractions;
           return region_mean(w, Region::Injury, [&](std::size_t v) { return double(f[v]); });
         }});
  }
  out.push_back(
      {"scar_fraction", "share of injury-region voxels that are scar", [](const sim::World& w) {
         const auto& scar = w.tissue().find("scar")->classes;
         return region_mean(w, Region::Injury,
                            [&](std::size_t v) { return scar[v] != 0 ? 1.0 : 0.0; });
       }});
}

FunctionIndexParams FunctionIndexParams::read(sim::ConfigTable& t, sim::World& world) {
  declare_tissue_layers(world);
  FunctionIndexParams p;
  const std::string region = t.get_choice("region", {"injury", "core", "all"}, "injury");
  p.region = region == "core" ? Region::Core : (region == "all" ? Region::All : Region::Injury);
  p.metric = t.get_string("metric", "function_index");
  p.complement = t.get_bool("complement", false);
  sim::ConfigTable w = t.table("weights");
  std::vector<std::string> valid;
  for (const auto& l : world.tissue().layers()) {
    if (l.kind == sim::LayerKind::Fraction) valid.push_back(l.name);
  }
  for (const auto& key : w.keys()) {
    bool known = false;
    for (const auto& v : valid) known = known || v == key;
    if (!known) {
      w.fail(key, "not a tissue fraction layer (layers: " + sim::join_names(valid) + ")");
    }
    p.weights.emplace_back(key, w.get_double(key));
  }
  if (p.weights.empty()) t.fail("weights", "give at least one layer weight");
  w.finish();
  p.threshold = t.get_double("threshold", 0.0, sim::between(0.0, 1.0));
  p.description = t.get_string("description", "");
  return p;
}

FunctionIndex::FunctionIndex(std::string name, FunctionIndexParams params)
    : NamedRule(std::move(name)), p_(std::move(params)) {}

double FunctionIndex::evaluate(const sim::World& world) const {
  std::vector<std::pair<const float*, double>> terms;
  for (const auto& [layer, weight] : p_.weights) {
    terms.emplace_back(world.tissue().find(layer)->fractions.data(), weight);
  }
  const double index = region_mean(world, p_.region, [&](std::size_t v) {
    double sum = 0.0;
    for (const auto& [f, weight] : terms) sum += weight * f[v];
    if (p_.threshold > 0.0) return sum >= p_.threshold ? 1.0 : 0.0;
    return sum;
  });
  return p_.complement ? 1.0 - index : index;
}

std::vector<sim::MetricDef> FunctionIndex::metrics(const sim::World&) const {
  const std::string units = p_.description.empty() ? "see docs/scenarios.md" : p_.description;
  return {{p_.metric, units, [this](const sim::World& w) { return evaluate(w); }}};
}

}  // namespace regensim::models
