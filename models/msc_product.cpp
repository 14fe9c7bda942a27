#include "models/msc_product.hpp"

#include <array>

namespace regensim::models {

namespace {

// docs/model.md#cell-product gives each value's source and range.
constexpr std::array<SourcePreset, 4> kSources = {{
    // Doubling 34 h: ~1e9-fold expansion in 6 weeks (Colter 2000, parameters.md row 14).
    // Loss 0.12/day: with hypoxia in the graft, most cells gone within 3 weeks (row 16).
    // Osteogenic bias 1.5: marrow MSCs' osteogenic preference (assumed, range 1-2).
    {"bone_marrow", 34.0, 0.12, 1.0, 1.5, 1.0, 1.0, 1.0},
    // Adipose: doubling assumed (range 30-60 h); weaker chondro/osteo, more secretion
    // (assumed, not sourced; range 1-2).
    {"adipose", 40.0, 0.12, 0.7, 0.8, 1.0, 1.5, 1.0},
    // Umbilical cord: doubling 50 h (hypoxia) to 66 h (normoxia), row 14; low
    // immunogenicity (assumed, range 0.25-1).
    {"umbilical_cord", 58.0, 0.12, 1.0, 0.8, 1.0, 1.2, 0.5},
    // iPSC-derived (cardiac-leaning) progenitor: fast cycling, myogenic bias (assumed).
    {"ipsc_progenitor", 24.0, 0.12, 1.0, 1.0, 3.0, 0.8, 1.0},
}};

}  // namespace

const SourcePreset* find_source(const std::string& name) {
  for (const auto& s : kSources) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

std::string source_names() {
  std::string out;
  for (const auto& s : kSources) out += (out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

CellProduct CellProduct::read(sim::ConfigTable& t) {
  CellProduct p;
  const std::string source = t.get_string("source", "bone_marrow");
  p.source = find_source(source);
  if (p.source == nullptr) {
    t.fail("source", "unknown cell source '" + source + "' (valid: " + source_names() + ")");
  }
  p.allogeneic = t.get_choice("donor", {"autologous", "allogeneic"}, "autologous") == "allogeneic";
  const std::string product =
      t.get_choice("product", {"culture_expanded", "minimally_manipulated"}, "culture_expanded");
  // Marrow concentrates hold about 0.01% MSCs among nucleated cells (assumed, not
  // sourced; range 0.001-0.1%): a low dose however many cells are given.
  p.msc_fraction =
      t.get_double("msc_fraction", product == "culture_expanded" ? 1.0 : 1e-4, sim::between(0, 1));
  p.viability = t.get_double("viability", 0.9, sim::between(0.0, 1.0));
  return p;
}

}  // namespace regensim::models
