#pragma once
/// The cell product of an MSC therapy: where the cells come from (source preset), who
/// donated them and how they were prepared (docs/model.md#cell-product). A source preset
/// supplies the defaults of the MSC rules; every value can be overridden key by key.
#include <string>

#include "sim/config/config_table.hpp"

namespace regensim::models {

/// Defaults that differ between cell sources. Sources: ../shared/parameters.md rows as
/// noted in msc_product.cpp and docs/model.md; the rest "assumed, not sourced".
struct SourcePreset {
  const char* name;
  double doubling_time_h;   // proliferation in good oxygen
  double death_per_day;     // baseline in vivo loss hazard (anoikis, graft loss)
  double bias_chondrocyte;  // multipliers on the differentiation rates
  double bias_osteoblast;
  double bias_myocyte;
  double secretion_scale;  // multiplier on every paracrine secretion rate
  double immunogenicity;   // multiplier on allogeneic immune clearance
};

/// "bone_marrow", "adipose", "umbilical_cord", "ipsc_progenitor".
const SourcePreset* find_source(const std::string& name);
std::string source_names();

struct CellProduct {
  const SourcePreset* source = nullptr;
  bool allogeneic = false;
  /// Share of MSCs among the cells given: 1 for a culture-expanded product, small for a
  /// minimally manipulated concentrate (bone-marrow aspirate concentrate).
  double msc_fraction = 1.0;
  /// Share of the given MSCs alive at injection.
  double viability = 1.0;
  /// Reads source, donor, product, msc_fraction, viability from the therapy table.
  static CellProduct read(sim::ConfigTable& t);
};

}  // namespace regensim::models
