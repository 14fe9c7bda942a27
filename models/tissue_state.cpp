#include "models/tissue_state.hpp"

#include <stdexcept>

namespace regensim::models {

namespace {

struct FractionLayer {
  const char* name;
  const char* description;
};

// Output order; docs/output-format.md lists them.
constexpr std::array<FractionLayer, 9> kFractionLayers = {{
    {"viable", "surviving native tissue, volume fraction"},
    {"necrotic", "dead native tissue awaiting clearance, volume fraction"},
    {"collagen", "fibrous (scar) collagen laid down by myofibroblasts, volume fraction"},
    {"cartilage_matrix", "cartilage matrix laid down by chondrocytes, volume fraction"},
    {"bone_matrix", "bone matrix laid down by osteoblasts, volume fraction"},
    {"contractile", "contractile tissue made by myocytes, volume fraction"},
    {"regen_direct", "part of the matrix layers laid down by MSC-derived cells (provenance)"},
    {"regen_paracrine", "native tissue regrown by host repair in excess of its base rate"},
    {"regen_spontaneous", "native tissue regrown by host repair at its base rate"},
}};

float* fractions(sim::World& world, const char* name) {
  sim::TissueLayer* l = world.tissue().find(name);
  if (l == nullptr) throw std::logic_error(std::string("tissue layer '") + name + "' missing");
  return l->fractions.data();
}

std::uint8_t* codes(sim::World& world, const char* name) {
  sim::TissueLayer* l = world.tissue().find(name);
  if (l == nullptr) throw std::logic_error(std::string("tissue layer '") + name + "' missing");
  return l->classes.data();
}

}  // namespace

void declare_tissue_layers(sim::World& world) {
  auto& t = world.tissue();
  if (t.find("tissue_type") != nullptr) return;
  std::map<int, std::string> kinds;
  for (std::size_t i = 0; i < kTissueKindNames.size(); ++i) {
    kinds[static_cast<int>(i)] = kTissueKindNames[i];
  }
  t.add_code("tissue_type", "native tissue kind (what the voxel regrows as)", kinds);
  t.add_code("injury", "injury zone", {{0, "intact"}, {1, "core"}, {2, "border"}});
  if (t.find("vessel") == nullptr) {
    t.add_code("vessel", "perfused vessel voxels", {{0, "none"}, {1, "vessel"}});
  }
  t.add_code("scar", "scar voxels (collagen above the scar threshold)", {{0, "none"}, {1, "scar"}});
  for (const auto& l : kFractionLayers) t.add_fraction(l.name, l.description);
}

TissueState TissueState::of(sim::World& world) {
  TissueState s;
  s.size = world.lattice().size();
  s.tissue_type = codes(world, "tissue_type");
  s.injury = codes(world, "injury");
  s.vessel = codes(world, "vessel");
  s.scar = codes(world, "scar");
  s.viable = fractions(world, "viable");
  s.necrotic = fractions(world, "necrotic");
  s.collagen = fractions(world, "collagen");
  s.cartilage_matrix = fractions(world, "cartilage_matrix");
  s.bone_matrix = fractions(world, "bone_matrix");
  s.contractile = fractions(world, "contractile");
  s.regen_direct = fractions(world, "regen_direct");
  s.regen_paracrine = fractions(world, "regen_paracrine");
  s.regen_spontaneous = fractions(world, "regen_spontaneous");
  return s;
}

int ensure_column(sim::World& world, const std::string& name, float initial) {
  const int i = world.agents().column_index(name);
  return i >= 0 ? i : world.agents().add_column(name, initial);
}

}  // namespace regensim::models
