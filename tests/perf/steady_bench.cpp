// Benchmark of the quasi-steady solve (sim/solver/steady_state.hpp) with each
// preconditioner, measured side by side in one run: the end-to-end case's oxygen problem
// (100^3 voxels of 20 µm, D = 1e5 µm²/min, half-life 6.93 min, vessel columns every 10
// voxels held at 38, 10^5 cells taking up 10/min). After a cold solve, each round moves
// half the cells one voxel (keyed) and solves again from the previous steady state, as the
// engine does every cell step; the two preconditioners' solves alternate. Prints one
// table; see docs/performance.md.
// Usage: steady_bench [--quick] [--threads 1,2,...]   (default threads: 1, 2)
#include <omp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/solver/implicit_lod.hpp"
#include "tests/perf/thread_list.hpp"

namespace {

using namespace regensim;
using Clock = std::chrono::steady_clock;

struct Result {
  double seconds_per_solve = 0.0;
  double iterations = 0.0;
  std::vector<float> values;
};

/// Cells at keyed free voxels; each round moves every other cell one voxel along a keyed
/// axis when the target is inside, free and not a vessel.
class Cells {
 public:
  Cells(const sim::Lattice& lat, const std::vector<std::uint8_t>& vessel, std::size_t count)
      : lat_(lat), vessel_(vessel), taken_(lat.size(), 0) {
    const sim::KeyedRng rng(3, 1);
    for (std::uint64_t k = 0; voxels_.size() < count; ++k) {
      const auto v = static_cast<sim::VoxelIndex>(rng.bits(0, k)[0] % lat.size());
      if (vessel[v] == 0 && taken_[v] == 0) {
        taken_[v] = 1;
        voxels_.push_back(v);
      }
    }
  }
  void move(std::uint64_t round) {
    const sim::KeyedRng rng(3, 2);
    for (std::size_t k = round % 2; k < voxels_.size(); k += 2) {
      std::array<sim::VoxelIndex, 6> nb{};
      const int count = lat_.von_neumann(voxels_[k], nb);
      const auto pick = rng.bits(round, k)[0] % static_cast<std::uint64_t>(count);
      const sim::VoxelIndex to = nb[pick];
      if (vessel_[to] != 0 || taken_[to] != 0) continue;
      taken_[voxels_[k]] = 0;
      taken_[to] = 1;
      voxels_[k] = to;
    }
  }
  void terms(sim::Field& f) const {
    f.point_terms().clear();
    for (const sim::VoxelIndex v : voxels_) f.point_terms().push_back({v, 0.0f, 10.0f});
  }

 private:
  const sim::Lattice& lat_;
  const std::vector<std::uint8_t>& vessel_;
  std::vector<std::uint8_t> taken_;
  std::vector<sim::VoxelIndex> voxels_;
};

/// Both preconditioners on the same problem, their solves interleaved round by round (a
/// host whose speed drifts during the run then slows both alike): results[0] Jacobi,
/// results[1] multigrid.
std::array<Result, 2> run(int n, int threads, int rounds) {
  omp_set_num_threads(threads);
  const sim::Lattice lat(n, n, n, 20.0);
  std::vector<std::uint8_t> vessel(lat.size(), 0);
  for (int z = 0; z < n; ++z)
    for (int y = 5; y < n; y += 10)
      for (int x = 5; x < n; x += 10) vessel[lat.index(x, y, z)] = 1;
  sim::FieldSpec spec;
  spec.name = "oxygen";
  spec.diffusion_um2_per_min = 1e5;
  spec.decay_per_min = std::log(2.0) / 6.93;
  spec.initial_value = 38.0;
  spec.fixed_value = 38.0;
  spec.quasi_steady = true;
  std::vector<sim::Field> fields;
  std::vector<sim::ImplicitLodSolver> solvers;
  for (const auto pc : {sim::SteadyPreconditioner::Jacobi, sim::SteadyPreconditioner::Multigrid}) {
    spec.steady_preconditioner = pc;
    fields.emplace_back(spec, lat);
    fields.back().set_fixed_mask(vessel.data());
    solvers.emplace_back(lat);
  }
  Cells cells(lat, vessel, lat.size() / 10);
  for (std::size_t k = 0; k < 2; ++k) {
    cells.terms(fields[k]);
    solvers[k].step(fields[k], 30.0);  // cold
  }
  std::array<Result, 2> res;
  for (int round = 0; round < rounds; ++round) {
    cells.move(static_cast<std::uint64_t>(round));
    for (std::size_t k = 0; k < 2; ++k) {
      cells.terms(fields[k]);
      const auto t0 = Clock::now();
      solvers[k].step(fields[k], 30.0);
      res[k].seconds_per_solve += std::chrono::duration<double>(Clock::now() - t0).count();
      res[k].iterations += solvers[k].last_steady_iterations();
    }
  }
  for (std::size_t k = 0; k < 2; ++k) {
    res[k].seconds_per_solve /= rounds;
    res[k].iterations /= rounds;
    res[k].values = fields[k].values();
  }
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 100;
  int rounds = 12;
  std::vector<int> thread_counts = {1};
  if (omp_get_max_threads() >= 2) thread_counts.push_back(2);
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      n = 48;
      rounds = 3;
    } else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
      const auto counts = bench::parse_thread_list(argv[++i]);
      if (!counts) {
        std::fprintf(stderr, "steady_bench: --threads takes a list like 1,2,4\n");
        return 2;
      }
      thread_counts = *counts;
    } else {
      std::fprintf(stderr, "usage: steady_bench [--quick] [--threads 1,2,...]\n");
      return 2;
    }
  }
  std::printf(
      "# quasi-steady oxygen, %d^3, 10%% of voxels consuming, warm solves after half "
      "the cells moved (mean of %d)\n",
      n, rounds);
  std::printf("%-10s %-13s %7s %-14s %10s %11s %11s %9s\n", "case", "grid", "threads",
              "preconditioner", "iterations", "ms/solve", "ns/voxel", "speed-up");
  for (const int t : thread_counts) {
    const std::array<Result, 2> both = run(n, t, rounds);
    const Result& jacobi = both[0];
    const Result& mg = both[1];
    const double voxels = static_cast<double>(n) * n * n;
    char grid[32];
    std::snprintf(grid, sizeof grid, "%dx%dx%d", n, n, n);
    for (const auto* r : {&jacobi, &mg}) {
      std::printf("%-10s %-13s %7d %-14s %10.1f %11.2f %11.2f %9.2f\n", "steady", grid, t,
                  r == &jacobi ? "jacobi" : "multigrid", r->iterations, r->seconds_per_solve * 1e3,
                  r->seconds_per_solve * 1e9 / voxels,
                  jacobi.seconds_per_solve / r->seconds_per_solve);
    }
    double worst = 0.0;
    for (std::size_t i = 0; i < mg.values.size(); ++i)
      worst = std::max(worst, static_cast<double>(std::abs(mg.values[i] - jacobi.values[i])));
    std::printf(
        "# %d thread(s): the two solutions differ by at most %.1e (of 38; tolerance "
        "1e-5 of the residual)\n",
        t, worst);
  }
  return 0;
}
