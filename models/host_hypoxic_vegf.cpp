#include "models/host_hypoxic_vegf.hpp"

#include "models/host_common.hpp"
#include "models/tissue_state.hpp"

namespace regensim::models {

HostHypoxicVegfParams HostHypoxicVegfParams::read(sim::ConfigTable& t, sim::World& world) {
  declare_tissue_layers(world);
  HostHypoxicVegfParams p;
  p.vegf_field = read_field(t, "vegf_field", "vegf", world);
  p.oxygen_field = read_field(t, "oxygen_field", "oxygen", world);
  p.layers = t.get_string_array("layers", p.layers);
  if (p.layers.empty()) t.fail("layers", "must name at least one tissue fraction layer");
  for (const auto& name : p.layers) {
    const sim::TissueLayer* l = world.tissue().find(name);
    if (l == nullptr || l->kind != sim::LayerKind::Fraction) {
      t.fail("layers", "'" + name + "' is not a tissue fraction layer");
    }
  }
  p.tissue_kinds = read_tissue_kinds(t, "tissue_types");
  p.max_secretion_per_min =
      t.get_double("max_secretion_per_min", p.max_secretion_per_min, sim::non_negative());
  p.hypoxia = HillParams::read(t, "hypoxia", &p.hypoxia);
  return p;
}

HostHypoxicVegf::HostHypoxicVegf(std::string name, HostHypoxicVegfParams params,
                                 const sim::Mechanisms& mechanisms, sim::World& world)
    : NamedRule(std::move(name)), p_(std::move(params)), enabled_(mechanisms.hypoxic_vegf) {
  declare_tissue_layers(world);
}

void HostHypoxicVegf::apply(sim::Phase, sim::World& world, const sim::StepContext&) {
  if (!enabled_) return;
  const TissueState s = TissueState::of(world);
  std::vector<const float*> layers;
  for (const auto& name : p_.layers) layers.push_back(world.tissue().find(name)->fractions.data());
  const auto& o2 = world.fields()[static_cast<std::size_t>(p_.oxygen_field)].values();
  auto& terms = world.fields()[static_cast<std::size_t>(p_.vegf_field)].point_terms();
  // Serial, in voxel order: the point terms then come in the same order on any thread count.
  for (std::size_t v = 0; v < s.size; ++v) {
    if ((p_.tissue_kinds & (1u << s.tissue_type[v])) == 0) continue;
    double living = 0.0;
    for (const float* l : layers) living += l[v];
    if (living <= 0.0) continue;
    const double rate = p_.secretion_per_min(living, o2[v]);
    if (rate <= 0.0) continue;
    terms.push_back({static_cast<sim::VoxelIndex>(v), static_cast<float>(rate), 0.0f});
  }
}

}  // namespace regensim::models
