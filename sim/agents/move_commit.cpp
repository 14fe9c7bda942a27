#include "sim/agents/move_commit.hpp"

#include <atomic>
#include <cassert>
#include <stdexcept>
#include <tuple>

namespace regensim::sim {

namespace detail {
/// The commit writes claims into the occupancy index and moves winners in place.
struct AgentStoreAccess {
  static AgentSlot* occupancy(AgentStore& a) { return a.occupancy_.data(); }
  static VoxelIndex* voxels(AgentStore& a) { return a.voxels_.data(); }
};
}  // namespace detail

namespace {

/// A claim in the occupancy index: proposal k holds the voxel as kClaim | k. An empty
/// voxel (kNoAgent) also has this bit, so k stays below 2^31 - 1; occupied voxels hold a
/// slot, which is below it as well.
constexpr AgentSlot kClaim = AgentSlot{1} << 31;
constexpr std::size_t kMaxProposals = kClaim - 1;

/// Fewer proposals than this are committed by one thread (a fork costs more).
constexpr std::int64_t kParallelMin = 4096;

/// Proposals ahead of the current one whose target line is fetched early: a locked
/// compare-and-swap waits for its own load, so without this the claims run one cache
/// miss at a time.
constexpr std::int64_t kPrefetchAhead = 48;

/// (Clamped rather than skipped at the end: GCC 12 drops the prefetch behind an early
/// return.)
template <class Proposals>
void prefetch(const AgentSlot* occ, const Proposals& p, std::int64_t i, std::int64_t n) {
  const VoxelIndex t = p.target(static_cast<AgentSlot>(i < n ? i : n - 1));
  if (t != kNoMove) __builtin_prefetch(occ + t, 1);
}

/// Two passes over the proposals, both parallel: (1) every proposal for a target that is
/// empty or claimed tries to install its claim by compare-and-swap, keeping the best
/// claimant (`beats` is a strict total order, so the last claim standing is the same
/// whatever the interleaving); (2) every proposal whose claim stands moves its agent.
/// Occupied voxels are never written in pass 1, so "occupied" means occupied when the
/// commit began. `Proposals` gives size(), target(k), slot(k) and beats(k, j).
template <class Proposals>
std::size_t commit(AgentStore& agents, const Proposals& p) {
  const std::size_t count = p.size();
  if (count >= kMaxProposals) {
    throw std::length_error("commit_moves: at most 2^31 - 2 proposals per commit");
  }
  AgentSlot* occ = detail::AgentStoreAccess::occupancy(agents);
  VoxelIndex* voxels = detail::AgentStoreAccess::voxels(agents);
  const auto n = static_cast<std::int64_t>(count);

  std::size_t moved = 0;
  // One parallel region, two passes: the barrier between them is the end of pass 1.
#pragma omp parallel if (n >= kParallelMin)
  {
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<AgentSlot>(i);
      prefetch(occ, p, i + kPrefetchAhead, n);
      const VoxelIndex t = p.target(k);
      if (t == kNoMove) continue;
      std::atomic_ref<AgentSlot> cell(occ[t]);
      AgentSlot held = cell.load(std::memory_order_relaxed);
      for (;;) {
        if (held != kNoAgent) {
          if ((held & kClaim) == 0) break;         // occupied when the commit began
          if (!p.beats(k, held & ~kClaim)) break;  // a better claim holds it
        }
        if (cell.compare_exchange_weak(held, kClaim | k, std::memory_order_relaxed)) break;
      }
    }

#pragma omp for schedule(static) reduction(+ : moved)
    for (std::int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<AgentSlot>(i);
      prefetch(occ, p, i + kPrefetchAhead, n);
      const VoxelIndex t = p.target(k);
      if (t == kNoMove) continue;
      // Relaxed atomics: a failed proposal for an occupied voxel may read it while its
      // agent leaves; it sees a slot or kNoAgent, never its own claim.
      std::atomic_ref<AgentSlot> cell(occ[t]);
      if (cell.load(std::memory_order_relaxed) != (kClaim | k)) continue;
      const AgentSlot s = p.slot(k);
      cell.store(s, std::memory_order_relaxed);
      std::atomic_ref<AgentSlot>(occ[voxels[s]]).store(kNoAgent, std::memory_order_relaxed);
      voxels[s] = t;
      ++moved;
    }
  }
  return moved;
}

struct ProposalList {
  std::span<const MoveProposal> list;
  const AgentId* ids;
  std::size_t size() const { return list.size(); }
  VoxelIndex target(AgentSlot k) const { return list[k].target; }
  AgentSlot slot(AgentSlot k) const { return list[k].slot; }
  bool beats(AgentSlot k, AgentSlot j) const {
    const MoveProposal& a = list[k];
    const MoveProposal& b = list[j];
    return std::tie(a.priority, ids[a.slot], k) < std::tie(b.priority, ids[b.slot], j);
  }
};

struct KeyedPerSlot {
  std::span<const VoxelIndex> targets;
  const KeyedPriority& key;
  const AgentId* ids;
  std::size_t size() const { return targets.size(); }
  VoxelIndex target(AgentSlot s) const { return targets[s]; }
  AgentSlot slot(AgentSlot s) const { return s; }
  std::uint64_t priority(AgentSlot s) const {
    return key.rng.bits(key.step, ids[s], key.counter)[static_cast<std::size_t>(key.word)];
  }
  bool beats(AgentSlot a, AgentSlot b) const {
    const std::uint64_t pa = priority(a), pb = priority(b);
    return pa != pb ? pa < pb : ids[a] < ids[b];
  }
};

}  // namespace

std::size_t commit_moves(AgentStore& agents, std::span<const MoveProposal> proposals) {
  return commit(agents, ProposalList{proposals, agents.ids().data()});
}

std::size_t commit_moves(AgentStore& agents, std::span<const VoxelIndex> targets,
                         const KeyedPriority& priority) {
  assert(targets.size() == agents.size());
  assert(priority.word >= 0 && priority.word < 4);
  return commit(agents, KeyedPerSlot{targets, priority, agents.ids().data()});
}

}  // namespace regensim::sim
