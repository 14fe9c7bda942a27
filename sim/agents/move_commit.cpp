#include "sim/agents/move_commit.hpp"

#include <algorithm>
#include <tuple>

namespace regensim::sim {

std::size_t commit_moves(AgentStore& agents, std::vector<MoveProposal>& proposals) {
  std::sort(proposals.begin(), proposals.end(), [](const MoveProposal& a, const MoveProposal& b) {
    return std::tie(a.target, a.priority, a.slot) < std::tie(b.target, b.priority, b.slot);
  });
  std::size_t moved = 0;
  for (std::size_t i = 0; i < proposals.size(); ++i) {
    const MoveProposal& p = proposals[i];
    if (i > 0 && proposals[i - 1].target == p.target) continue;  // lost the contest
    if (agents.occupied(p.target)) continue;
    agents.move(p.slot, p.target);
    ++moved;
  }
  return moved;
}

}  // namespace regensim::sim
