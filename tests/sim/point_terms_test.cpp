// The implicit solver's per-voxel sums of point terms (ImplicitLodSolver::sum_terms),
// which run over fixed chunks of 16384 listed terms in parallel: a voxel listed many
// times, whose terms straddle the chunks, must still be summed once, as its total.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <utility>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/solver/implicit_lod.hpp"
#include "tests/solver_test_support.hpp"

namespace regensim::sim {
namespace {

constexpr VoxelIndex kCrowded = 10000;  // listed 20000 times
constexpr int kCrowdedTimes = 20000;
constexpr std::size_t kChunk = 16384;  // sum_terms' work unit (implicit_lod.cpp)

/// The voxels with terms (every voxel below kCrowded, every third one above) and how many
/// secretion units each gets.
std::vector<std::pair<VoxelIndex, int>> voxel_units() {
  std::vector<std::pair<VoxelIndex, int>> out;
  for (VoxelIndex v = 0; v < 32000; v += (v < kCrowded ? 1 : 3)) {
    out.emplace_back(v, v == kCrowded ? kCrowdedTimes : static_cast<int>(1 + v % 2));
  }
  return out;
}

struct Outcome {
  std::vector<float> values;
  FieldBalance balance;
};

/// Two exact steps (their source grid takes each voxel's summed term once, so a voxel
/// summed in two pieces would lose one) and a Douglas step with uptake of one field on
/// `threads` threads, with the terms either listed one per secretion unit in a shuffled
/// order (`spread`) or summed beforehand to one term per voxel. Each unit secretes 1 and
/// takes up 1/1024 per minute: the sums are exact in any order.
Outcome run(bool spread, int threads) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  const Lattice lat(40, 40, 20, 10.0);
  FieldSpec spec = spec_with(300.0, 0.02);
  spec.exact_steps = true;
  Field f(spec, lat);
  std::vector<PointTerm> terms;
  std::vector<float> uptake;
  for (const auto& [v, times] : voxel_units()) {
    if (!spread) {
      terms.push_back({v, static_cast<float>(times), 0.0f});
      uptake.push_back(static_cast<float>(times) / 1024.0f);
      continue;
    }
    for (int k = 0; k < times; ++k) {
      terms.push_back({v, 1.0f, 0.0f});
      uptake.push_back(1.0f / 1024.0f);
    }
  }
  if (spread) {  // a keyed shuffle: the sums must not depend on the listing order
    const KeyedRng rng(9, 2);
    for (std::size_t i = terms.size() - 1; i > 0; --i) {
      std::swap(terms[i], terms[rng.bits(0, i)[0] % (i + 1)]);  // all uptakes alike
    }
  }
  ImplicitLodSolver solver(lat);
  Outcome out;
  for (int s = 0; s < 2; ++s) {
    f.point_terms() = terms;
    out.balance += solver.step(f, 30.0);
  }
  for (std::size_t i = 0; i < terms.size(); ++i) terms[i].uptake_per_min = uptake[i];
  f.point_terms() = terms;
  out.balance += solver.step(f, 5.0);
  out.values = f.values();
  omp_set_num_threads(saved);
  return out;
}

TEST(PointTerms, AVoxelListedAcrossTheSummingChunksIsSummedOnce) {
  // The crowded voxel's terms, once sorted by voxel, straddle two chunk bounds.
  std::size_t before = 0;
  for (const auto& [v, times] : voxel_units())
    before += v < kCrowded ? static_cast<std::size_t>(times) : 0;
  ASSERT_LT(before, kChunk);
  ASSERT_GT(before + kCrowdedTimes, 2 * kChunk);
  const Outcome summed = run(false, 1);
  const Outcome one = run(true, 1);
  const Outcome two = run(true, 2);
  for (const Outcome* o : {&one, &two}) {
    EXPECT_EQ(
        std::memcmp(o->values.data(), summed.values.data(), summed.values.size() * sizeof(float)),
        0);
    EXPECT_EQ(o->balance.secreted, summed.balance.secreted);
    EXPECT_EQ(o->balance.taken_up, summed.balance.taken_up);
  }
  // The crowded voxel holds the most: its whole source arrived there.
  const auto peak = std::max_element(summed.values.begin(), summed.values.end());
  EXPECT_EQ(static_cast<VoxelIndex>(peak - summed.values.begin()), kCrowded);
}

}  // namespace
}  // namespace regensim::sim
