#include "sim/agents/agent_store.hpp"

#include <stdexcept>

namespace regensim::sim {

AgentStore::AgentStore(const Lattice& lattice) : occupancy_(lattice.size(), kNoAgent) {}

int AgentStore::add_column(const std::string& name, float initial) {
  if (column_index(name) >= 0) throw std::logic_error("agent column '" + name + "' added twice");
  column_names_.push_back(name);
  column_initial_.push_back(initial);
  columns_.emplace_back(ids_.size(), initial);
  return static_cast<int>(columns_.size()) - 1;
}

int AgentStore::column_index(const std::string& name) const {
  for (std::size_t i = 0; i < column_names_.size(); ++i) {
    if (column_names_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

AgentSlot AgentStore::add(AgentType type, VoxelIndex voxel, std::int64_t step, AgentId parent) {
  if (occupancy_.at(voxel) != kNoAgent) {
    throw std::logic_error("AgentStore::add: voxel " + std::to_string(voxel) + " is occupied");
  }
  const auto slot = static_cast<AgentSlot>(ids_.size());
  ids_.push_back(next_id_++);
  types_.push_back(type);
  voxels_.push_back(voxel);
  birth_steps_.push_back(step);
  parents_.push_back(parent);
  removed_.push_back(0);
  for (std::size_t c = 0; c < columns_.size(); ++c) columns_[c].push_back(column_initial_[c]);
  occupancy_[voxel] = slot;
  return slot;
}

void AgentStore::move(AgentSlot slot, VoxelIndex to) {
  if (occupancy_.at(to) != kNoAgent) {
    throw std::logic_error("AgentStore::move: voxel " + std::to_string(to) + " is occupied");
  }
  occupancy_[voxels_[slot]] = kNoAgent;
  voxels_[slot] = to;
  occupancy_[to] = slot;
}

void AgentStore::restore(Arrays a) {
  const std::size_t n = a.ids.size();
  if (a.types.size() != n || a.voxels.size() != n || a.birth_steps.size() != n ||
      a.parents.size() != n || a.columns.size() != columns_.size()) {
    throw std::invalid_argument("AgentStore::restore: arrays differ in length or column count");
  }
  for (const auto& col : a.columns) {
    if (col.size() != n) throw std::invalid_argument("AgentStore::restore: short column");
  }
  std::vector<AgentSlot> occupancy(occupancy_.size(), kNoAgent);
  for (std::size_t i = 0; i < n; ++i) {
    const VoxelIndex v = a.voxels[i];
    if (v >= occupancy.size() || occupancy[v] != kNoAgent) {
      throw std::invalid_argument("AgentStore::restore: voxel " + std::to_string(v) +
                                  " out of the lattice or taken twice");
    }
    if (a.ids[i] >= a.next_id) {
      throw std::invalid_argument("AgentStore::restore: id not below next_id");
    }
    occupancy[v] = static_cast<AgentSlot>(i);
  }
  ids_ = std::move(a.ids);
  types_ = std::move(a.types);
  voxels_ = std::move(a.voxels);
  birth_steps_ = std::move(a.birth_steps);
  parents_ = std::move(a.parents);
  columns_ = std::move(a.columns);
  removed_.assign(n, 0);
  occupancy_ = std::move(occupancy);
  next_id_ = a.next_id;
}

std::size_t AgentStore::compact() {
  const std::size_t n = ids_.size();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (removed_[i]) {
      occupancy_[voxels_[i]] = kNoAgent;
      continue;
    }
    if (kept != i) {
      ids_[kept] = ids_[i];
      types_[kept] = types_[i];
      voxels_[kept] = voxels_[i];
      birth_steps_[kept] = birth_steps_[i];
      parents_[kept] = parents_[i];
      for (auto& col : columns_) col[kept] = col[i];
    }
    occupancy_[voxels_[kept]] = static_cast<AgentSlot>(kept);
    ++kept;
  }
  const std::size_t gone = n - kept;
  ids_.resize(kept);
  types_.resize(kept);
  voxels_.resize(kept);
  birth_steps_.resize(kept);
  parents_.resize(kept);
  removed_.assign(kept, 0);
  for (auto& col : columns_) col.resize(kept);
  return gone;
}

}  // namespace regensim::sim
