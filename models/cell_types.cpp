#include "models/cell_types.hpp"

#include "sim/config/config_table.hpp"
#include "sim/core/format.hpp"

namespace regensim::models {

void declare_cell_types(sim::World& world) {
  for (const char* name : kCellTypeNames) world.add_agent_type(name);
}

std::vector<sim::AgentType> read_cell_types(sim::ConfigTable& params, const std::string& key,
                                            sim::World& world) {
  declare_cell_types(world);
  std::vector<sim::AgentType> codes;
  for (const auto& name : params.get_string_array(key)) {
    bool found = false;
    for (std::size_t i = 0; i < kCellTypeNames.size(); ++i) {
      if (name == kCellTypeNames[i]) {
        codes.push_back(world.agent_type(name));
        found = true;
      }
    }
    if (!found) {
      const std::vector<std::string> valid(kCellTypeNames.begin(), kCellTypeNames.end());
      params.fail(key, "unknown cell type '" + name + "' (valid: " + sim::join_names(valid) + ")");
    }
  }
  if (codes.empty()) params.fail(key, "must name at least one cell type");
  return codes;
}

}  // namespace regensim::models
