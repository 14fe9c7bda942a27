#include "models/tissue_uptake.hpp"

#include "models/signals.hpp"
#include "models/tissue_state.hpp"
#include "sim/core/format.hpp"

namespace regensim::models {

TissueUptakeParams TissueUptakeParams::read(sim::ConfigTable& t, sim::World& world) {
  declare_tissue_layers(world);
  TissueUptakeParams p;
  p.field = field_index(t, "field", world);
  p.uptake_per_min = t.get_double("uptake_per_min", sim::non_negative());
  p.layers = t.get_string_array("layers", {"viable"});
  for (const auto& name : p.layers) {
    const sim::TissueLayer* l = world.tissue().find(name);
    if (l == nullptr || l->kind != sim::LayerKind::Fraction) {
      t.fail("layers", "'" + name + "' is not a tissue fraction layer");
    }
  }
  const std::vector<std::string> kinds(kTissueKindNames.begin(), kTissueKindNames.end());
  for (const auto& name : t.get_string_array("tissue_types", {})) {
    int code = -1;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      if (kinds[i] == name) code = static_cast<int>(i);
    }
    if (code < 0) {
      t.fail("tissue_types",
             "unknown tissue kind '" + name + "' (valid: " + sim::join_names(kinds) + ")");
    }
    p.tissue_kinds.push_back(code);
  }
  return p;
}

TissueUptake::TissueUptake(std::string name, TissueUptakeParams params)
    : NamedRule(std::move(name)), p_(std::move(params)) {}

void TissueUptake::apply(sim::Phase, sim::World& world, const sim::StepContext&) {
  const TissueState t = TissueState::of(world);
  std::vector<const float*> layers;
  for (const auto& name : p_.layers) layers.push_back(world.tissue().find(name)->fractions.data());
  auto& terms = world.fields()[static_cast<std::size_t>(p_.field)].point_terms();
  for (std::size_t v = 0; v < t.size; ++v) {
    if (!p_.tissue_kinds.empty()) {
      bool listed = false;
      for (const int k : p_.tissue_kinds) listed = listed || t.tissue_type[v] == k;
      if (!listed) continue;
    }
    float amount = 0.0f;
    for (const float* l : layers) amount += l[v];
    if (amount <= 0.0f) continue;
    terms.push_back(
        {static_cast<sim::VoxelIndex>(v), 0.0f, static_cast<float>(p_.uptake_per_min) * amount});
  }
}

}  // namespace regensim::models
