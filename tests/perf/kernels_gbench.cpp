// Micro-benchmarks of the engine's innermost kernels, with Google Benchmark:
// the keyed random draw (every stochastic rule pays it per agent per step) and the
// neighbourhood lookup (every move proposal pays it).
#include <benchmark/benchmark.h>

#include "sim/core/lattice.hpp"
#include "sim/core/rng.hpp"

namespace {

using namespace regensim::sim;

void BM_KeyedRngFourWords(benchmark::State& state) {
  const KeyedRng rng(1, stream_for("bench"));
  std::uint64_t id = 0;
  for (auto _ : state) benchmark::DoNotOptimize(rng.bits(7, ++id));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyedRngFourWords);

void BM_VonNeumann3D(benchmark::State& state) {
  const Lattice lattice(256, 256, 256, 20.0);
  std::array<VoxelIndex, 6> nb{};
  VoxelIndex v = 0;
  for (auto _ : state) {
    v = (v + 2654435761u) % static_cast<VoxelIndex>(lattice.size());
    benchmark::DoNotOptimize(lattice.von_neumann(v, nb));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VonNeumann3D);

}  // namespace
