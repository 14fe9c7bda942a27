#pragma once
/// Deterministic commit of agent moves proposed in parallel.
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "sim/agents/agent_store.hpp"
#include "sim/core/rng.hpp"

namespace regensim::sim {

/// One agent asking to move to a voxel that was empty when the step began.
/// `priority` is a keyed random number: the lowest priority wins a contested voxel.
struct MoveProposal {
  AgentSlot slot;
  VoxelIndex target;
  std::uint64_t priority;
};

/// In a per-agent target array: the agent proposes no move.
inline constexpr VoxelIndex kNoMove = std::numeric_limits<VoxelIndex>::max();

/// Applies proposals, at most one per agent: every target that is empty when the commit
/// begins goes to its best claimant (lowest priority, then lowest agent id); proposals
/// for occupied targets fail, and a voxel left in this commit is not refilled by it.
/// The outcome depends only on the proposals and the agents, not on the order of the
/// proposals, the slot order or the number of threads. No sort: claims are resolved in
/// place in the occupancy index (atomic minimum per target), in parallel, O(proposals).
/// Returns the number of moves made. Needs fewer than 2^31 - 1 proposals.
std::size_t commit_moves(AgentStore& agents, std::span<const MoveProposal> proposals);

/// A keyed priority: agent s draws rng.bits(step, id of s, counter)[word] (word 0..3).
struct KeyedPriority {
  KeyedRng rng;
  std::uint64_t step = 0;
  std::uint64_t counter = 0;
  int word = 0;
};

/// The same for one proposal per slot: agent s proposes `targets[s]` (kNoMove: none;
/// agents.size() entries) with its keyed priority, which is drawn only where two
/// proposals meet, so no per-agent priority array is kept.
std::size_t commit_moves(AgentStore& agents, std::span<const VoxelIndex> targets,
                         const KeyedPriority& priority);

}  // namespace regensim::sim
