#include "sim/agents/agent_store.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <limits>
#include <stdexcept>
#include <utility>

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

void AgentStore::reserve(std::size_t n) {
  ids_.reserve(n);
  types_.reserve(n);
  voxels_.reserve(n);
  birth_steps_.reserve(n);
  parents_.reserve(n);
  removed_.reserve(n);
  for (auto& col : columns_) col.reserve(n);
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
  // Agents before the first marked one keep their slots: nothing to rewrite there.
  const auto first = static_cast<std::size_t>(
      std::find(removed_.begin(), removed_.end(), std::uint8_t{1}) - removed_.begin());
  std::size_t kept = first;
  for (std::size_t i = first; i < n; ++i) {
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
  if (gone > 0) {
    ids_.resize(kept);
    types_.resize(kept);
    voxels_.resize(kept);
    birth_steps_.resize(kept);
    parents_.resize(kept);
    removed_.assign(kept, 0);
    for (auto& col : columns_) col.resize(kept);
  }
  if (order_drifted()) sort_by_voxel();
  return gone;
}

bool AgentStore::order_drifted() const {
  const auto n = static_cast<std::int64_t>(voxels_.size());
  if (n < 2 || occupancy_.size() <= kLocalityWindow) return false;
  const VoxelIndex* v = voxels_.data();
  std::int64_t far_back = 0;  // an integer count: the same for every thread count
#pragma omp parallel for schedule(static) reduction(+ : far_back) if (n >= 4096)
  for (std::int64_t i = 1; i < n; ++i) {
    far_back += std::uint64_t{v[i - 1]} > std::uint64_t{v[i]} + kLocalityWindow ? 1 : 0;
  }
  return far_back * 8 > n;
}

void AgentStore::swap_agents(std::size_t a, std::size_t b) {
  std::swap(ids_[a], ids_[b]);
  std::swap(types_[a], types_[b]);
  std::swap(voxels_[a], voxels_[b]);
  std::swap(birth_steps_[a], birth_steps_[b]);
  std::swap(parents_[a], parents_[b]);
  for (auto& col : columns_) std::swap(col[a], col[b]);
}

void AgentStore::prefetch_agent(std::size_t slot) const {
  __builtin_prefetch(&ids_[slot], 1);
  __builtin_prefetch(&types_[slot], 1);
  __builtin_prefetch(&voxels_[slot], 1);
  __builtin_prefetch(&birth_steps_[slot], 1);
  __builtin_prefetch(&parents_[slot], 1);
  for (const auto& col : columns_) __builtin_prefetch(&col[slot], 1);
}

void AgentStore::sort_by_voxel() {
  assert(std::find(removed_.begin(), removed_.end(), std::uint8_t{1}) == removed_.end());
  // One agent per voxel: the voxel order of the agents is the order in which a scan of
  // the occupancy index meets them. No scratch memory: the index and voxels_ hold the
  // permutation while it is applied.
  constexpr std::int64_t kBlocks = 256;
  const std::size_t size = occupancy_.size();
  const std::size_t block = (size + kBlocks - 1) / kBlocks;
  const auto block_end = [&](std::int64_t b) {
    return std::min(size, static_cast<std::size_t>(b + 1) * block);
  };
  AgentSlot* occ = occupancy_.data();
  VoxelIndex* vox = voxels_.data();
  const auto n = static_cast<std::int64_t>(ids_.size());
  // 1. The rank of every occupied voxel (count per block, prefix sum, number) replaces
  //    the slot in the index: it is the new slot of the agent there. The counts come
  //    from the agents' voxels, a much shorter array than the index.
  std::array<std::size_t, kBlocks + 1> start{};
#pragma omp parallel
  {
    std::array<std::size_t, kBlocks> local{};
#pragma omp for schedule(static) nowait
    for (std::int64_t i = 0; i < n; ++i) ++local[vox[i] / block];
#pragma omp critical(regensim_agent_sort_counts)
    for (std::size_t b = 0; b < kBlocks; ++b) start[b + 1] += local[b];  // integers
  }
  for (std::size_t b = 0; b < kBlocks; ++b) start[b + 1] += start[b];
  assert(start[kBlocks] == ids_.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < kBlocks; ++b) {
    auto rank = static_cast<AgentSlot>(start[static_cast<std::size_t>(b)]);
    for (std::size_t v = static_cast<std::size_t>(b) * block; v < block_end(b); ++v) {
      if (occ[v] != kNoAgent) occ[v] = rank++;
    }
  }
  // 2. voxels_ holds each agent's new slot for a while (independent loads, in parallel).
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) vox[i] = occ[vox[i]];
  // 3. Each agent is swapped into its new slot. Every swap settles one agent for good, in
  //    whatever order the swaps come, so kChains anchor slots are worked on in turn and
  //    the next swap of each is prefetched: one chain alone would wait on one cache miss
  //    after another.
  constexpr std::size_t kChains = 16;
  constexpr std::size_t kDone = std::numeric_limits<std::size_t>::max();
  const std::size_t count = ids_.size();
  std::array<std::size_t, kChains> anchor{};
  std::size_t next = 0, active = 0;
  for (auto& a : anchor) {
    a = next < count ? next++ : kDone;
    if (a != kDone) ++active;
  }
  while (active > 0) {
    for (auto& a : anchor) {
      if (a == kDone) continue;
      const VoxelIndex d = vox[a];
      if (d == a) {  // settled: take the next slot
        a = next < count ? next++ : kDone;
        if (a == kDone) {
          --active;
          continue;
        }
      } else {
        swap_agents(a, d);
      }
      prefetch_agent(vox[a]);
    }
  }
  // 4. The voxels back, from the index: the slot-th occupied voxel is the slot's voxel.
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < kBlocks; ++b) {
    for (std::size_t v = static_cast<std::size_t>(b) * block; v < block_end(b); ++v) {
      if (occ[v] != kNoAgent) vox[occ[v]] = static_cast<VoxelIndex>(v);
    }
  }
}

}  // namespace regensim::sim
