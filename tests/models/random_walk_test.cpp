// The random walk's statistics and its independence from threads and slot order;
// the point-term fill of secretion and uptake for any thread count.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "models/cell_types.hpp"
#include "models/random_walk.hpp"
#include "models/secretion_uptake.hpp"
#include "tests/test_support.hpp"

namespace regensim::models {
namespace {

using sim::Lattice;
using sim::StepContext;
using sim::World;

StepContext ctx_at(std::int64_t step, double dt_min = 30.0, std::uint64_t seed = 1) {
  return regensim::testing::step_context(step, dt_min, seed);
}

/// Runs `f` with `threads` OpenMP threads, then restores the previous setting.
template <class F>
auto with_threads(int threads, F f) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  auto result = f();
  omp_set_num_threads(saved);
  return result;
}

/// Voxel of every agent by id after `steps` steps of a walk in a crowded 3D block.
std::map<sim::AgentId, sim::VoxelIndex> crowded_walk(int threads, bool reversed_slots, int steps) {
  return with_threads(threads, [&] {
    World w(Lattice(32, 32, 32, 20.0), 3, 30.0);
    declare_cell_types(w);
    // Every other voxel of the lower half (8192 cells, enough for the parallel commit):
    // nearly every move is contested.
    sim::AgentStore::Arrays a;
    for (sim::VoxelIndex v = 0; v < w.lattice().size() / 2; v += 2) {
      a.ids.push_back(a.ids.size() + 1);
      a.voxels.push_back(v);
    }
    const std::size_t n = a.ids.size();
    if (reversed_slots) {
      std::reverse(a.ids.begin(), a.ids.end());
      std::reverse(a.voxels.begin(), a.voxels.end());
    }
    a.types.assign(n, 0);
    a.birth_steps.assign(n, 0);
    a.parents.assign(n, sim::kNoParent);
    a.columns.assign(w.agents().column_names().size(), std::vector<float>(n, 0.0f));
    a.next_id = n + 1;
    w.agents().restore(std::move(a));
    RandomWalk walk("walk", {{0}, 300.0});
    for (int s = 0; s < steps; ++s) {
      walk.apply(sim::Phase::Act, w, ctx_at(s, 30.0, 3));
      w.agents().compact();
    }
    std::map<sim::AgentId, sim::VoxelIndex> by_id;
    for (std::size_t i = 0; i < w.agents().size(); ++i) {
      by_id[w.agents().ids()[i]] = w.agents().voxels()[i];
    }
    return by_id;
  });
}

TEST(RandomWalk, SameMovesForOneAndTwoThreadsAndAnySlotOrder) {
  const auto one = crowded_walk(1, false, 12);
  EXPECT_NE(one, crowded_walk(1, false, 0)) << "the cells should have moved";
  EXPECT_EQ(crowded_walk(2, false, 12), one);
  EXPECT_EQ(crowded_walk(1, true, 12), one);
  EXPECT_EQ(crowded_walk(2, true, 12), one);
}

TEST(RandomWalk, MeanSquareDisplacementMatchesTheJumpRate) {
  // Sparse cells (every 8th voxel of a 2D lattice): MSD = steps * p_jump * h^2 for an
  // unbiased walk, D = p_jump h^2 / (4 dt) in 2D (docs/model.md#random_walk).
  World w(Lattice(256, 256, 1, 20.0), 11, 30.0);
  declare_cell_types(w);
  for (int y = 4; y < 256; y += 8) {
    for (int x = 4; x < 256; x += 8) w.agents().add(0, w.lattice().index(x, y, 0), 0);
  }
  const auto start = w.agents().voxels();
  RandomWalk walk("walk", {{0}, 30.0});
  const double p = walk.jump_probability(20.0, 30.0);
  const int steps = 20;
  for (int s = 0; s < steps; ++s) walk.apply(sim::Phase::Act, w, ctx_at(s, 30.0, 11));
  double sum = 0.0;
  for (std::size_t i = 0; i < start.size(); ++i) {
    const auto a = w.lattice().coord(start[i]), b = w.lattice().coord(w.agents().voxels()[i]);
    sum += (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
  }
  const double expected = steps * p;  // voxel^2
  const double msd = sum / static_cast<double>(start.size());
  // |r|^2 of a 2D walk is about exponential: sd of the mean = expected / sqrt(N).
  const double sigma = expected / std::sqrt(static_cast<double>(start.size()));
  EXPECT_NEAR(msd, expected, 4 * sigma) << "expected MSD " << expected << " voxel^2";
}

TEST(SecretionUptake, PointTermsInSlotOrderForAnyThreadCount) {
  const auto terms = [](int threads) {
    return with_threads(threads, [] {
      World w(Lattice(64, 64, 4, 20.0), 1, 30.0);
      declare_cell_types(w);
      sim::FieldSpec f;
      f.name = "oxygen";
      w.add_field(f);
      const auto msc = w.agent_type("msc"), fibro = w.agent_type("fibroblast");
      for (sim::VoxelIndex v = 0; v < w.lattice().size(); v += 3) {
        w.agents().add(v % 7 == 0 ? fibro : msc, v, 0);
      }
      Uptake up("u", {{msc}, 0, 10.0});
      up.apply(sim::Phase::Secrete, w, ctx_at(0));
      Secretion sec("s", {{fibro}, 0, 0.25}, sim::Mechanisms{});
      sec.apply(sim::Phase::Secrete, w, ctx_at(0));
      std::vector<sim::PointTerm> expected;
      for (const auto want : {msc, fibro}) {
        for (std::size_t i = 0; i < w.agents().size(); ++i) {
          if (w.agents().types()[i] != want) continue;
          expected.push_back(
              {w.agents().voxels()[i], want == fibro ? 0.25f : 0.0f, want == msc ? 10.0f : 0.0f});
        }
      }
      const auto& got = w.field("oxygen").point_terms();
      EXPECT_EQ(got.size(), expected.size());
      for (std::size_t k = 0; k < std::min(got.size(), expected.size()); ++k) {
        EXPECT_EQ(got[k].voxel, expected[k].voxel);
        EXPECT_EQ(got[k].secretion_per_min, expected[k].secretion_per_min);
        EXPECT_EQ(got[k].uptake_per_min, expected[k].uptake_per_min);
      }
      std::vector<sim::VoxelIndex> voxels;
      for (const auto& t : got) voxels.push_back(t.voxel);
      return voxels;
    });
  };
  EXPECT_EQ(terms(2), terms(1));
}

}  // namespace
}  // namespace regensim::models
