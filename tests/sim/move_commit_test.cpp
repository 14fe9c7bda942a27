// The parallel move commit: one winner per voxel by keyed priority, independent of the
// order of the proposals, of the slot order and of the number of threads.
#include "sim/agents/move_commit.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "sim/core/rng.hpp"

namespace regensim::sim {
namespace {

TEST(MoveCommit, KeyedPerSlotTargetsGiveTheSameMovesAsAProposalList) {
  const Lattice lat(5, 5, 1, 10.0);
  const KeyedRng rng(3, 41);
  const auto setup = [&](AgentStore& a) {
    a.add(0, lat.index(1, 2, 0), 0);  // slot 0
    a.add(0, lat.index(3, 2, 0), 0);  // slot 1
    a.add(0, lat.index(2, 0, 0), 0);  // slot 2
    a.add(0, lat.index(4, 4, 0), 0);  // slot 3 stays
  };
  AgentStore listed(lat), per_slot(lat);
  setup(listed);
  setup(per_slot);
  const std::vector<VoxelIndex> targets = {lat.index(2, 2, 0), lat.index(2, 2, 0),
                                           lat.index(2, 1, 0), kNoMove};
  std::vector<MoveProposal> p;
  for (AgentSlot s = 0; s < 3; ++s) {
    p.push_back({s, targets[s], rng.bits(7, listed.ids()[s], 1)[3]});
  }
  EXPECT_EQ(commit_moves(listed, p), 2u);
  EXPECT_EQ(commit_moves(per_slot, targets, {rng, 7, 1, 3}), 2u);
  EXPECT_EQ(listed.voxels(), per_slot.voxels());
  const AgentSlot winner = p[0].priority < p[1].priority ? 0 : 1;
  EXPECT_EQ(per_slot.voxels()[winner], lat.index(2, 2, 0));  // lower priority wins
  EXPECT_EQ(per_slot.voxels()[2], lat.index(2, 1, 0));
  for (AgentSlot s = 0; s < per_slot.size(); ++s) EXPECT_EQ(per_slot.at(per_slot.voxels()[s]), s);
}

TEST(MoveCommit, EqualPrioritiesGoToTheLowerIdWhateverTheSlotOrder) {
  const Lattice lat(3, 1, 1, 10.0);
  // The same two agents (ids 1 and 2) stored in both slot orders, both wanting voxel 1.
  for (const bool swapped : {false, true}) {
    AgentStore a(lat);
    AgentStore::Arrays arrays;
    arrays.ids = swapped ? std::vector<AgentId>{2, 1} : std::vector<AgentId>{1, 2};
    arrays.types = {0, 0};
    arrays.voxels = swapped ? std::vector<VoxelIndex>{2, 0} : std::vector<VoxelIndex>{0, 2};
    arrays.birth_steps = {0, 0};
    arrays.parents = {kNoParent, kNoParent};
    arrays.next_id = 3;
    a.restore(arrays);
    const std::vector<MoveProposal> p = {{0, 1, 7}, {1, 1, 7}};
    EXPECT_EQ(commit_moves(a, p), 1u);
    const AgentSlot winner = a.at(1);
    ASSERT_NE(winner, kNoAgent);
    EXPECT_EQ(a.ids()[winner], 1u) << "swapped slot order: " << swapped;
  }
}

TEST(MoveCommit, AVoxelLeftInThisCommitIsNotRefilledByIt) {
  const Lattice lat(3, 1, 1, 10.0);
  AgentStore a(lat);
  a.add(0, 0, 0);
  a.add(0, 1, 0);
  // Agent 1 leaves voxel 1 for voxel 2; agent 0 asks for voxel 1, occupied when the
  // commit began: volume exclusion is checked against the start of the step.
  const std::vector<VoxelIndex> targets = {1, 2};
  EXPECT_EQ(commit_moves(a, targets, {KeyedRng(1, 2), 0, 0, 0}), 1u);
  EXPECT_EQ(a.voxels()[0], 0u);
  EXPECT_EQ(a.voxels()[1], 2u);
  EXPECT_FALSE(a.occupied(1));
}

/// A crowded 3D lattice where many targets are contested: the same moves for 1 and 2
/// threads, one agent per voxel afterwards, and the best claimant wins every voxel.
TEST(MoveCommit, ContestedCommitIsTheSameForOneAndTwoThreads) {
  const Lattice lat(24, 24, 24, 10.0);
  const KeyedRng rng(5, 77);
  const auto run = [&](int threads) {
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    AgentStore a(lat);
    for (std::uint64_t k = 0; a.size() < 6000; ++k) {
      const auto v = static_cast<VoxelIndex>(rng.bits(0, k)[0] % lat.size());
      if (!a.occupied(v)) a.add(0, v, 0);
    }
    std::vector<VoxelIndex> targets(a.size());
    std::map<VoxelIndex, std::pair<std::uint64_t, AgentId>> best;  // empty targets only
    for (AgentSlot s = 0; s < a.size(); ++s) {
      const auto b = rng.bits(1, a.ids()[s]);
      std::array<VoxelIndex, 6> nb{};
      const int count = lat.von_neumann(a.voxels()[s], nb);
      targets[s] = b[0] % 4 == 0 ? kNoMove : nb[b[1] % static_cast<std::uint64_t>(count)];
      if (targets[s] == kNoMove || a.occupied(targets[s])) continue;
      const auto key = std::make_pair(rng.bits(1, a.ids()[s], 9)[1], a.ids()[s]);
      auto [it, fresh] = best.try_emplace(targets[s], key);
      if (!fresh) it->second = std::min(it->second, key);
    }
    const std::size_t moved = commit_moves(a, targets, {rng, 1, 9, 1});
    omp_set_num_threads(saved);
    EXPECT_EQ(moved, best.size());
    for (const auto& [voxel, key] : best) {
      EXPECT_TRUE(a.occupied(voxel));
      if (a.occupied(voxel)) {
        EXPECT_EQ(a.ids()[a.at(voxel)], key.second);
      }
    }
    std::set<VoxelIndex> seen(a.voxels().begin(), a.voxels().end());
    EXPECT_EQ(seen.size(), a.size());
    for (AgentSlot s = 0; s < a.size(); ++s) EXPECT_EQ(a.at(a.voxels()[s]), s);
    return a.voxels();
  };
  const auto one = run(1);
  EXPECT_EQ(run(2), one);
}

}  // namespace
}  // namespace regensim::sim
