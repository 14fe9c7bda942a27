#pragma once
/// The cell types of regensim's biology, declared on the world in this order so that
/// type codes in output files are the same in every run (docs/output-format.md).
#include <array>
#include <string>
#include <vector>

#include "sim/config/config_table.hpp"
#include "sim/core/world.hpp"

namespace regensim::models {

/// Codes 0-5 are format_version 1's original list; later types are appended so that
/// existing codes never change.
inline constexpr std::array<const char*, 8> kCellTypeNames = {
    "msc",        "chondrocyte", "osteocyte",  "myocyte",
    "fibroblast", "macrophage",  "osteoblast", "endothelial_tip"};

/// Agent column "lineage": where a cell came from (provenance of what it makes).
inline constexpr float kHostLineage = 0.0f;   // native cell of the host
inline constexpr float kDonorLineage = 1.0f;  // injected MSC or its descendant
inline constexpr const char* kLineageColumn = "lineage";

/// Declares every cell type on `world` and the "lineage" column (idempotent).
void declare_cell_types(sim::World& world);

/// Reads one cell type name from `key` and returns its code; an unknown name is a
/// ConfigError listing the valid ones. Declares the cell types on `world`.
sim::AgentType read_cell_type(sim::ConfigTable& params, const std::string& key, sim::World& world);

/// Reads a list of cell type names from `key` and returns their codes; an unknown name
/// is a ConfigError listing the valid ones.
std::vector<sim::AgentType> read_cell_types(sim::ConfigTable& params, const std::string& key,
                                            sim::World& world);

}  // namespace regensim::models
