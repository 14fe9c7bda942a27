#include "models/metrics.hpp"

#include <algorithm>

#include "models/cell_types.hpp"

namespace regensim::models {

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
    out.push_back({"vessel_density", "fraction of voxels", [](const sim::World& w) {
                     const auto& v = w.tissue().find("vessel")->classes;
                     const auto n =
                         std::count_if(v.begin(), v.end(), [](auto c) { return c != 0; });
                     return static_cast<double>(n) / static_cast<double>(v.size());
                   }});
  }
}

}  // namespace regensim::models
