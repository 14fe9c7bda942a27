#include "models/cell_types.hpp"

#include "sim/config/config_table.hpp"
#include "sim/core/format.hpp"

namespace regensim::models {

void declare_cell_types(sim::World& world) {
  for (const char* name : kCellTypeNames) world.add_agent_type(name);
  if (world.agents().column_index(kLineageColumn) < 0) {
    world.agents().add_column(kLineageColumn, kHostLineage);
  }
}

namespace {

/// The code of a named cell type; an unknown name fails at `key`, listing the valid ones.
sim::AgentType code_of(sim::ConfigTable& params, const std::string& key, const std::string& name,
                       sim::World& world) {
  declare_cell_types(world);
  for (const char* known : kCellTypeNames) {
    if (name == known) return world.agent_type(name);
  }
  const std::vector<std::string> valid(kCellTypeNames.begin(), kCellTypeNames.end());
  params.fail(key, "unknown cell type '" + name + "' (valid: " + sim::join_names(valid) + ")");
}

}  // namespace

sim::AgentType read_cell_type(sim::ConfigTable& params, const std::string& key, sim::World& world) {
  return code_of(params, key, params.get_string(key), world);
}

std::vector<sim::AgentType> read_cell_types(sim::ConfigTable& params, const std::string& key,
                                            sim::World& world) {
  std::vector<sim::AgentType> codes;
  for (const auto& name : params.get_string_array(key)) {
    codes.push_back(code_of(params, key, name, world));
  }
  if (codes.empty()) params.fail(key, "must name at least one cell type");
  return codes;
}

}  // namespace regensim::models
