#include "sim/agents/agent_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>

#include "sim/agents/move_commit.hpp"

namespace regensim::sim {
namespace {

TEST(AgentStore, AddGivesStableIdsAndOccupancy) {
  const Lattice lat(3, 3, 1, 10.0);
  AgentStore a(lat);
  const AgentSlot s0 = a.add(1, 4, 0);
  const AgentSlot s1 = a.add(2, 0, 3, 1);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(a.ids()[s0], 1u);
  EXPECT_EQ(a.ids()[s1], 2u);
  EXPECT_EQ(a.parents()[s1], 1u);
  EXPECT_EQ(a.birth_steps()[s1], 3);
  EXPECT_EQ(a.at(4), s0);
  EXPECT_EQ(a.at(0), s1);
  EXPECT_FALSE(a.occupied(8));
  EXPECT_THROW(a.add(1, 4, 0), std::logic_error);  // volume exclusion
}

TEST(AgentStore, ColumnsFollowAgents) {
  const Lattice lat(3, 3, 1, 10.0);
  AgentStore a(lat);
  a.add(0, 1, 0);
  const int age = a.add_column("age_days", 2.5f);
  EXPECT_EQ(a.column(age).size(), 1u);
  EXPECT_FLOAT_EQ(a.column(age)[0], 2.5f);
  a.add(0, 2, 0);
  EXPECT_FLOAT_EQ(a.column(age)[1], 2.5f);
  EXPECT_EQ(a.column_index("age_days"), age);
  EXPECT_EQ(a.column_index("nope"), -1);
  EXPECT_THROW(a.add_column("age_days"), std::logic_error);
}

TEST(AgentStore, MoveUpdatesOccupancyAndRefusesOccupiedVoxel) {
  const Lattice lat(3, 3, 1, 10.0);
  AgentStore a(lat);
  const AgentSlot s = a.add(0, 4, 0);
  a.add(0, 5, 0);
  a.move(s, 1);
  EXPECT_EQ(a.voxels()[s], 1u);
  EXPECT_FALSE(a.occupied(4));
  EXPECT_EQ(a.at(1), s);
  EXPECT_THROW(a.move(s, 5), std::logic_error);
}

TEST(AgentStore, CompactKeepsOrderAndReindexesOccupancy) {
  const Lattice lat(10, 1, 1, 10.0);
  AgentStore a(lat);
  const int col = a.add_column("x");
  for (VoxelIndex v = 0; v < 10; ++v) {
    const AgentSlot s = a.add(static_cast<AgentType>(v % 3), v, 0);
    a.column(col)[s] = static_cast<float>(v);
  }
  for (AgentSlot s : {1u, 4u, 5u, 9u}) a.mark_for_removal(s);
  EXPECT_TRUE(a.occupied(4));  // marked agents still hold their voxel until compact()
  EXPECT_EQ(a.compact(), 4u);
  ASSERT_EQ(a.size(), 6u);
  const std::vector<AgentId> expected_ids = {1, 3, 4, 7, 8, 9};
  EXPECT_EQ(a.ids(), expected_ids);
  for (AgentSlot s = 0; s < a.size(); ++s) {
    EXPECT_EQ(a.at(a.voxels()[s]), s);
    EXPECT_FLOAT_EQ(a.column(col)[s], static_cast<float>(a.voxels()[s]));
    EXPECT_FALSE(a.is_marked(s));
  }
  for (VoxelIndex v : {1u, 4u, 5u, 9u}) EXPECT_FALSE(a.occupied(v));
  EXPECT_EQ(a.add(0, 4, 1), 6u);
  EXPECT_EQ(a.ids().back(), 11u);  // ids are never reused
}

TEST(AgentStore, SortByVoxelKeepsIdsAndColumnsWithTheirAgents) {
  const Lattice lat(4, 4, 1, 10.0);
  AgentStore a(lat);
  const int col = a.add_column("x");
  a.reserve(5);
  for (const VoxelIndex v : {9u, 3u, 15u, 0u, 7u}) {
    const AgentSlot s = a.add(static_cast<AgentType>(v % 3), v, static_cast<std::int64_t>(v));
    a.column(col)[s] = static_cast<float>(v);
  }
  a.sort_by_voxel();
  const std::vector<VoxelIndex> voxels = {0, 3, 7, 9, 15};
  const std::vector<AgentId> ids = {4, 2, 5, 1, 3};
  EXPECT_EQ(a.voxels(), voxels);
  EXPECT_EQ(a.ids(), ids);
  for (AgentSlot s = 0; s < a.size(); ++s) {
    EXPECT_EQ(a.at(a.voxels()[s]), s);
    EXPECT_EQ(a.types()[s], a.voxels()[s] % 3);
    EXPECT_EQ(a.birth_steps()[s], static_cast<std::int64_t>(a.voxels()[s]));
    EXPECT_FLOAT_EQ(a.column(col)[s], static_cast<float>(a.voxels()[s]));
  }
  EXPECT_EQ(a.add(0, 1, 0), 5u);
  EXPECT_EQ(a.ids().back(), 6u);  // ids are never reused
}

TEST(AgentStore, CompactReSortsOnlyWhenTheOrderHasDrifted) {
  // Over kLocalityWindow voxels, so that drift can count.
  const Lattice lat(128, 128, 20, 10.0);
  ASSERT_GT(lat.size(), AgentStore::kLocalityWindow);
  const VoxelIndex plane = 128 * 128;
  AgentStore a(lat);
  // Pairs far apart, added high first: every other neighbouring pair steps back.
  for (VoxelIndex k = 0; k < 64; ++k) {
    a.add(0, 19 * plane + k, 0);
    a.add(0, k, 0);
  }
  EXPECT_TRUE(a.order_drifted());
  a.mark_for_removal(0);
  EXPECT_EQ(a.compact(), 1u);
  EXPECT_FALSE(a.order_drifted());
  EXPECT_TRUE(std::is_sorted(a.voxels().begin(), a.voxels().end()));
  for (AgentSlot s = 0; s < a.size(); ++s) {
    EXPECT_EQ(a.at(a.voxels()[s]), s);
    // Ids follow their agents: odd ids went low, even ids high.
    EXPECT_EQ(a.ids()[s] % 2 == 0, a.voxels()[s] < plane);
  }
  // A small lattice never counts as drifted: it fits in cache anyway.
  const Lattice small(8, 8, 1, 10.0);
  AgentStore b(small);
  for (VoxelIndex v = 64; v-- > 0;) b.add(0, v, 0);
  EXPECT_FALSE(b.order_drifted());
}

TEST(MoveCommit, OneWinnerPerTargetIndependentOfProposalOrder) {
  const Lattice lat(5, 5, 1, 10.0);
  const auto run = [&](bool shuffle) {
    AgentStore a(lat);
    a.add(0, lat.index(1, 2, 0), 0);  // slot 0, left of the centre
    a.add(0, lat.index(3, 2, 0), 0);  // slot 1, right of the centre
    a.add(0, lat.index(2, 0, 0), 0);  // slot 2
    a.add(0, lat.index(4, 4, 0), 0);  // slot 3 blocks (4,4) for others
    a.add(0, lat.index(4, 3, 0), 0);  // slot 4 wants the occupied (4,4)
    std::vector<MoveProposal> p = {{0, lat.index(2, 2, 0), 50},
                                   {1, lat.index(2, 2, 0), 20},
                                   {2, lat.index(2, 1, 0), 70},
                                   {4, lat.index(4, 4, 0), 1}};
    if (shuffle) std::reverse(p.begin(), p.end());
    const std::size_t moved = commit_moves(a, p);
    return std::make_pair(moved, a.voxels());
  };
  const auto [moved, voxels] = run(false);
  EXPECT_EQ(run(true).second, voxels);
  EXPECT_EQ(moved, 2u);
  EXPECT_EQ(voxels[1], lat.index(2, 2, 0));  // lower priority wins the centre
  EXPECT_EQ(voxels[0], lat.index(1, 2, 0));  // the loser stays
  EXPECT_EQ(voxels[2], lat.index(2, 1, 0));
  EXPECT_EQ(voxels[4], lat.index(4, 3, 0));  // a move into an occupied voxel fails
}

}  // namespace
}  // namespace regensim::sim
