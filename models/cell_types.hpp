#pragma once
/// The cell types of regensim's biology, declared on the world in this order so that
/// type codes in output files are the same in every run (docs/output-format.md).
#include <array>
#include <string>
#include <vector>

#include "sim/config/config_table.hpp"
#include "sim/core/world.hpp"

namespace regensim::models {

inline constexpr std::array<const char*, 6> kCellTypeNames = {
    "msc", "chondrocyte", "osteocyte", "myocyte", "fibroblast", "macrophage"};

/// Declares every cell type on `world` (idempotent).
void declare_cell_types(sim::World& world);

/// Reads one cell type name from `key` and returns its code; an unknown name is a
/// ConfigError listing the valid ones. Declares the cell types on `world`.
sim::AgentType read_cell_type(sim::ConfigTable& params, const std::string& key, sim::World& world);

/// Reads a list of cell type names from `key` and returns their codes; an unknown name
/// is a ConfigError listing the valid ones.
std::vector<sim::AgentType> read_cell_types(sim::ConfigTable& params, const std::string& key,
                                            sim::World& world);

}  // namespace regensim::models
