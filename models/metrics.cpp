#include "models/metrics.hpp"

#include <algorithm>

#include "models/cell_types.hpp"

namespace regensim::models {

double capillary_density_per_mm2(const sim::World& world) {
  const sim::TissueLayer* layer = world.tissue().find("vessel");
  if (layer == nullptr) return 0.0;
  const auto n = std::count_if(layer->classes.begin(), layer->classes.end(),
                               [](std::uint8_t c) { return c != 0; });
  const double h_mm = world.lattice().voxel_size_um() / 1000.0;
  return static_cast<double>(n) / (static_cast<double>(world.lattice().size()) * h_mm * h_mm);
}

void add_standard_metrics(const sim::World& world, std::vector<sim::MetricDef>& out) {
  for (const char* type_name : kCellTypeNames) {
    const std::string name = type_name;
    out.push_back({"n_" + name, "cells", [name](const sim::World& w) {
                     const auto& names = w.agent_type_names();
                     const auto it = std::find(names.begin(), names.end(), name);
                     if (it == names.end()) return 0.0;
                     const auto code = static_cast<sim::AgentType>(it - names.begin());
                     const auto& types = w.agents().types();
                     return static_cast<double>(std::count(types.begin(), types.end(), code));
                   }});
  }
  for (std::size_t i = 0; i < world.fields().size(); ++i) {
    const auto& f = world.fields()[i];
    out.push_back({"mean_" + f.name(), f.spec().units,
                   [i](const sim::World& w) { return w.fields()[i].mean(); }});
  }
  if (world.tissue().find("vessel") != nullptr) {
    out.push_back({"vessel_density", "capillaries per mm^2", capillary_density_per_mm2});
  }
}

}  // namespace regensim::models
