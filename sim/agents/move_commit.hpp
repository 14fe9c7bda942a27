#pragma once
/// Deterministic commit of agent moves proposed in parallel.
#include <cstdint>
#include <vector>

#include "sim/agents/agent_store.hpp"

namespace regensim::sim {

/// One agent asking to move to a voxel that was empty when the step began.
/// `priority` is a keyed random number: the lowest priority wins a contested voxel.
struct MoveProposal {
  AgentSlot slot;
  VoxelIndex target;
  std::uint64_t priority;
};

/// Applies proposals: one winner per target (lowest priority, then lowest slot), and
/// only to targets that are still empty. The outcome depends only on the proposals,
/// not on their order in the vector (which is sorted in place). Returns moves made.
std::size_t commit_moves(AgentStore& agents, std::vector<MoveProposal>& proposals);

}  // namespace regensim::sim
