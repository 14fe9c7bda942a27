#pragma once
/// Cell agents as a structure of arrays, on the lattice with volume exclusion
/// (at most one agent per voxel, kept by an occupancy index).
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sim/core/lattice.hpp"

namespace regensim::sim {

namespace detail {
struct AgentStoreAccess;  // the move commit's write access to positions (move_commit.cpp)
}  // namespace detail

using AgentId = std::uint64_t;
using AgentType = std::uint8_t;
/// Slot of an agent in the arrays; changes when earlier agents are removed.
using AgentSlot = std::uint32_t;
inline constexpr AgentSlot kNoAgent = std::numeric_limits<AgentSlot>::max();
inline constexpr AgentId kNoParent = 0;  // ids start at 1

/// Structure-of-arrays agent storage. Ids are stable and never reused (1, 2, 3, ...).
/// Slots are dense; `compact()` (end of step) removes agents marked for removal keeping the
/// order of the rest, so results depend only on what was marked, not on who marked it
/// first, and re-sorts the agents by voxel when their order has drifted (locality).
/// Slots are therefore only valid within one step; ids identify agents across steps.
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

  /// Room for `n` agents without reallocation (placement rules that know their count:
  /// no growth slack in the per-agent arrays).
  void reserve(std::size_t n);
  /// Adds an agent in an empty voxel; returns its slot. Throws std::logic_error if the
  /// voxel is occupied. `step` is the birth step, `parent` the parent's id or kNoParent.
  AgentSlot add(AgentType type, VoxelIndex voxel, std::int64_t step, AgentId parent = kNoParent);
  /// Moves an agent to an empty voxel (std::logic_error if occupied).
  void move(AgentSlot slot, VoxelIndex to);
  /// Marks an agent for removal at the next compact(); it still occupies its voxel.
  void mark_for_removal(AgentSlot slot) { removed_[slot] = 1; }
  bool is_marked(AgentSlot slot) const { return removed_[slot] != 0; }
  /// End-of-step maintenance: removes marked agents, keeping the order of the others,
  /// then calls sort_by_voxel() if order_drifted(). Returns how many agents went.
  /// The outcome depends only on the agents (ids, voxels, marks), never on thread count.
  std::size_t compact();
  /// Whether the slot order has drifted from the voxel order far enough to cost locality:
  /// more than 1/8 of the neighbouring slot pairs step back by more than
  /// kLocalityWindow voxels. Never on lattices of at most kLocalityWindow voxels.
  bool order_drifted() const;
  /// Re-orders the slots by ascending voxel; ids, columns and all follow their agent.
  /// Precondition: no agent is marked for removal. Parallel scans of the occupancy
  /// index, then an in-place serial permutation (no scratch memory).
  void sort_by_voxel();
  /// Voxels (2^18: 1 MiB of a float field, four planes of a 256^2 lattice) within which
  /// slot order may step back without counting as drift.
  static constexpr VoxelIndex kLocalityWindow = VoxelIndex{1} << 18;

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
  friend struct detail::AgentStoreAccess;
  void swap_agents(std::size_t a, std::size_t b);
  void prefetch_agent(std::size_t slot) const;

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
