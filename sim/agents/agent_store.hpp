#pragma once
/// Cell agents as a structure of arrays, on the lattice with volume exclusion
/// (at most one agent per voxel, kept by an occupancy index).
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/core/lattice.hpp"

namespace regensim::sim {

using AgentId = std::uint64_t;
using AgentType = std::uint8_t;
/// Slot of an agent in the arrays; changes when earlier agents are removed.
using AgentSlot = std::uint32_t;
inline constexpr AgentSlot kNoAgent = std::numeric_limits<AgentSlot>::max();
inline constexpr AgentId kNoParent = 0;  // ids start at 1

/// Structure-of-arrays agent storage. Ids are stable and never reused (1, 2, 3, ...).
/// Slots are dense; `compact()` removes agents marked for removal keeping the order of
/// the rest, so results depend only on what was marked, not on who marked it first.
/// Not thread-safe for concurrent add/remove/move; reading columns concurrently is safe.
class AgentStore {
 public:
  explicit AgentStore(const Lattice& lattice);

  std::size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }

  /// Registers a float state column (e.g. "age_days"); returns its index. Existing
  /// agents get `initial`. Column names are unique.
  int add_column(const std::string& name, float initial = 0.0f);
  /// Index of a column, or -1.
  int column_index(const std::string& name) const;
  const std::vector<std::string>& column_names() const { return column_names_; }

  /// Adds an agent in an empty voxel; returns its slot. Throws std::logic_error if the
  /// voxel is occupied. `step` is the birth step, `parent` the parent's id or kNoParent.
  AgentSlot add(AgentType type, VoxelIndex voxel, std::int64_t step, AgentId parent = kNoParent);
  /// Moves an agent to an empty voxel (std::logic_error if occupied).
  void move(AgentSlot slot, VoxelIndex to);
  /// Marks an agent for removal at the next compact(); it still occupies its voxel.
  void mark_for_removal(AgentSlot slot) { removed_[slot] = 1; }
  bool is_marked(AgentSlot slot) const { return removed_[slot] != 0; }
  /// Removes marked agents, keeping the order of the others; returns how many went.
  std::size_t compact();

  /// Slot of the agent in a voxel, or kNoAgent.
  AgentSlot at(VoxelIndex voxel) const { return occupancy_[voxel]; }
  bool occupied(VoxelIndex voxel) const { return occupancy_[voxel] != kNoAgent; }

  const std::vector<AgentId>& ids() const { return ids_; }
  const std::vector<AgentType>& types() const { return types_; }
  std::vector<AgentType>& types() { return types_; }
  const std::vector<VoxelIndex>& voxels() const { return voxels_; }
  const std::vector<std::int64_t>& birth_steps() const { return birth_steps_; }
  const std::vector<AgentId>& parents() const { return parents_; }
  std::vector<float>& column(int index) { return columns_[static_cast<std::size_t>(index)]; }
  const std::vector<float>& column(int index) const {
    return columns_[static_cast<std::size_t>(index)];
  }
  /// The id the next added agent will get.
  AgentId next_id() const { return next_id_; }

  /// Every array a checkpoint needs to recreate the store (columns in column order).
  struct Arrays {
    std::vector<AgentId> ids;
    std::vector<AgentType> types;
    std::vector<VoxelIndex> voxels;
    std::vector<std::int64_t> birth_steps;
    std::vector<AgentId> parents;
    std::vector<std::vector<float>> columns;
    AgentId next_id = 1;
  };
  /// Replaces every agent with `arrays` (a restart) and rebuilds the occupancy index. The
  /// columns must match column_names() in number. Throws std::invalid_argument, leaving
  /// the store unchanged, if the arrays differ in length, a voxel is out of the lattice or
  /// taken twice, or an id is not below next_id.
  void restore(Arrays arrays);

 private:
  std::vector<AgentId> ids_;
  std::vector<AgentType> types_;
  std::vector<VoxelIndex> voxels_;
  std::vector<std::int64_t> birth_steps_;
  std::vector<AgentId> parents_;
  std::vector<std::uint8_t> removed_;
  std::vector<std::vector<float>> columns_;
  std::vector<std::string> column_names_;
  std::vector<float> column_initial_;
  std::vector<AgentSlot> occupancy_;  // one per voxel
  AgentId next_id_ = 1;
};

}  // namespace regensim::sim
