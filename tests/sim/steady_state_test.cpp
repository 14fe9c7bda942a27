// Unit tests of the quasi-steady solve (sim/solver/steady_state.hpp): against the dense
// steady state of the discrete problem, its flows, warm starts, thread-count independence,
// and a whole run with a quasi-steady field against a fine-step run of the same config.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "sim/solver/implicit_lod.hpp"
#include "tests/dense_diffusion_reference.hpp"
#include "tests/models/msc_test_support.hpp"
#include "tests/solver_test_support.hpp"
#include "tests/test_support.hpp"

namespace regensim::sim {
namespace {

struct Shape {
  int nx, ny, nz;
};

/// A quasi-steady field on `lat` with fixed-value faces, keyed fixed voxels and point
/// terms (some repeated, some on fixed voxels), started from keyed random values.
Field make_field(const Lattice& lat, std::vector<std::uint8_t>& mask, double tolerance,
                 SteadyPreconditioner preconditioner) {
  FieldSpec spec = spec_with(100.0, 0.05);
  spec.faces[static_cast<std::size_t>(Face::XLow)] = {BoundaryKind::FixedValue, 3.0f};
  spec.faces[static_cast<std::size_t>(Face::YLow)] = {BoundaryKind::FixedValue, 0.5f};
  if (!lat.is_2d())
    spec.faces[static_cast<std::size_t>(Face::ZHigh)] = {BoundaryKind::FixedValue, 1.0f};
  spec.fixed_value = 5.0;
  spec.quasi_steady = true;
  spec.steady_tolerance = tolerance;
  spec.steady_preconditioner = preconditioner;
  Field f(spec, lat);
  fill_random(f, 7, 0.0f, 4.0f);
  mask = random_mask(lat, 41, static_cast<int>(lat.size() / 40) + 1);
  f.set_fixed_mask(mask.data());
  add_point_terms(f, lat, 42, static_cast<int>(lat.size() / 20) + 2);
  return f;
}

/// Every test below runs with both preconditioners.
class QuasiSteady : public ::testing::TestWithParam<SteadyPreconditioner> {};

INSTANTIATE_TEST_SUITE_P(Preconditioners, QuasiSteady,
                         ::testing::Values(SteadyPreconditioner::Jacobi,
                                           SteadyPreconditioner::Multigrid),
                         [](const auto& param_info) {
                           return param_info.param == SteadyPreconditioner::Jacobi ? "Jacobi"
                                                                                   : "Multigrid";
                         });

TEST_P(QuasiSteady, MatchesTheDenseSteadyState) {
  for (const Shape s : {Shape{9, 8, 6}, Shape{13, 11, 1}, Shape{1, 5, 4}, Shape{17, 3, 5}}) {
    const Lattice lat(s.nx, s.ny, s.nz, 10.0);
    std::vector<std::uint8_t> mask;
    Field f = make_field(lat, mask, 1e-6, GetParam());
    const std::vector<float> before = f.values();
    const Eigen::VectorXd ref = dense_steady_state(lat, f.spec(), mask.data(), f);
    ImplicitLodSolver solver(lat);
    solver.step(f, 30.0);
    EXPECT_GT(solver.last_steady_iterations(), 0);
    double worst = 0.0;
    for (std::size_t i = 0; i < lat.size(); ++i) {
      if (mask[i] != 0) {
        EXPECT_EQ(f.values()[i], before[i]) << "fixed voxels keep their value";
        continue;
      }
      worst = std::max(worst, std::abs(f.values()[i] - ref(static_cast<Eigen::Index>(i))));
    }
    const double rel = worst / ref.cwiseAbs().maxCoeff();
    std::printf("%dx%dx%d: %d iterations, max |u - u_ss| / max u_ss = %.1e\n", s.nx, s.ny, s.nz,
                solver.last_steady_iterations(), rel);
    EXPECT_LT(rel, 1e-5) << s.nx << "x" << s.ny << "x" << s.nz;
  }
}

TEST_P(QuasiSteady, BalanceIsTheSteadyFlowsOverTheStep) {
  const Lattice lat(12, 10, 7, 10.0);
  std::vector<std::uint8_t> mask;
  Field f = make_field(lat, mask, 1e-6, GetParam());
  ImplicitLodSolver solver(lat);
  const double dt = 30.0;
  const FieldBalance b = solver.step(f, dt);
  // Each flow from its definition at the solution, voxel by voxel.
  const double c = f.spec().diffusion_um2_per_min / 100.0;
  const auto& u = f.values();
  double secreted = 0, taken = 0, decayed = 0, boundary = 0, fixed = 0;
  for (const PointTerm& t : f.point_terms()) {
    if (mask[t.voxel] != 0) continue;
    secreted += dt * t.secretion_per_min;
    taken += dt * t.uptake_per_min * u[t.voxel];
  }
  const int dims[3] = {lat.nx(), lat.ny(), lat.nz()};
  for (VoxelIndex i = 0; i < lat.size(); ++i) {
    if (mask[i] != 0) continue;
    decayed += dt * f.spec().decay_per_min * u[i];
    const Coord q = lat.coord(i);
    for (int axis = 0; axis < 3; ++axis) {
      for (const int dir : {-1, 1}) {
        int at[3] = {q.x, q.y, q.z};
        at[axis] += dir;
        if (at[axis] < 0 || at[axis] >= dims[axis]) {
          const FaceBoundary& fb = f.spec().faces[static_cast<std::size_t>(2 * axis + (dir > 0))];
          if (fb.kind == BoundaryKind::FixedValue) boundary += dt * 2.0 * c * (fb.value - u[i]);
          continue;
        }
        const VoxelIndex j = lat.index(at[0], at[1], at[2]);
        if (mask[j] != 0) fixed += dt * c * (u[j] - u[i]);
      }
    }
  }
  const double scale = std::max({secreted, taken, decayed, std::abs(boundary), std::abs(fixed)});
  EXPECT_NEAR(b.secreted, secreted, 1e-9 * scale);
  EXPECT_NEAR(b.taken_up, taken, 1e-6 * scale);
  EXPECT_NEAR(b.decayed, decayed, 1e-6 * scale);
  EXPECT_NEAR(b.boundary_in, boundary, 1e-6 * scale);
  EXPECT_NEAR(b.fixed_in, fixed, 1e-5 * scale);
  EXPECT_NEAR(b.net(), 0.0, 1e-5 * scale) << "a steady state has no net flow";
  EXPECT_GT(taken, 0.0);
  EXPECT_GT(std::abs(fixed), 0.0);
}

TEST_P(QuasiSteady, WarmStartAtTheSteadyStateTakesNoIterations) {
  const Lattice lat(20, 16, 8, 10.0);
  std::vector<std::uint8_t> mask;
  Field f = make_field(lat, mask, 1e-5, GetParam());
  ImplicitLodSolver solver(lat);
  solver.step(f, 30.0);
  const int cold = solver.last_steady_iterations();
  const std::vector<float> settled = f.values();
  solver.step(f, 30.0);
  EXPECT_EQ(solver.last_steady_iterations(), 0);
  EXPECT_EQ(std::memcmp(settled.data(), f.values().data(), settled.size() * sizeof(float)), 0);
  // One term moved: fewer iterations than from the random start, but some.
  VoxelIndex& moved = f.point_terms().back().voxel;
  moved = static_cast<VoxelIndex>((moved + 1) % lat.size());
  solver.step(f, 30.0);
  EXPECT_GT(solver.last_steady_iterations(), 0);
  EXPECT_LT(solver.last_steady_iterations(), cold);
}

TEST_P(QuasiSteady, NonNegativeForNonNegativeData) {
  // A coarse tolerance and sinks strong enough to bring most of the block near zero:
  // the iterate undershoots there, and the exact solution (an M-matrix system with b >= 0)
  // is non-negative, so the solve sets those values to 0.
  const Lattice lat(24, 20, 6, 10.0);
  FieldSpec spec = spec_with(100.0, 0.05);
  spec.faces[static_cast<std::size_t>(Face::XLow)] = {BoundaryKind::FixedValue, 10.0f};
  spec.quasi_steady = true;
  spec.steady_tolerance = 0.1;
  spec.steady_preconditioner = GetParam();
  Field f(spec, lat);
  fill_random(f, 3, 0.0f, 10.0f);
  for (VoxelIndex i = 0; i < lat.size(); i += 3) f.point_terms().push_back({i, 0.0f, 500.0f});
  ImplicitLodSolver solver(lat);
  solver.step(f, 30.0);
  EXPECT_GT(solver.last_steady_iterations(), 0);
  const float lowest = *std::min_element(f.values().begin(), f.values().end());
  EXPECT_GE(lowest, 0.0f);
  EXPECT_LT(lowest, 1e-6f) << "the sinks drive values to ~0: the test reaches the clamp";
}

TEST_P(QuasiSteady, WithoutSourcesTheSteadyStateIsZero) {
  // No secretion, no fixed voxels or faces (e.g. a lattice inside an avascular core):
  // b = 0, so the decaying field's steady state is 0 everywhere, found without iterating.
  const Lattice lat(10, 8, 4, 10.0);
  FieldSpec spec = spec_with(100.0, 0.05);
  spec.quasi_steady = true;
  spec.steady_preconditioner = GetParam();
  Field f(spec, lat);
  fill_random(f, 5, 1.0f, 40.0f);
  f.point_terms().push_back({lat.index(3, 3, 1), 0.0f, 2.0f});
  ImplicitLodSolver solver(lat);
  const FieldBalance b = solver.step(f, 30.0);
  EXPECT_EQ(solver.last_steady_iterations(), 0);
  for (const float v : f.values()) EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(b.net(), 0.0);
}

TEST_P(QuasiSteady, BitIdenticalForOneAndTwoThreads) {
  const int saved = omp_get_max_threads();
  std::vector<float> values[2];
  FieldBalance balance[2];
  for (const int threads : {1, 2}) {
    omp_set_num_threads(threads);
    const Lattice lat(37, 29, 11, 10.0);
    std::vector<std::uint8_t> mask;
    Field f = make_field(lat, mask, 1e-6, GetParam());
    ImplicitLodSolver solver(lat);
    balance[threads - 1] = solver.step(f, 30.0);
    values[threads - 1] = f.values();
  }
  omp_set_num_threads(saved);
  EXPECT_EQ(std::memcmp(values[0].data(), values[1].data(), values[0].size() * sizeof(float)), 0);
  EXPECT_EQ(balance[0].decayed, balance[1].decayed);
  EXPECT_EQ(balance[0].taken_up, balance[1].taken_up);
  EXPECT_EQ(balance[0].boundary_in, balance[1].boundary_in);
  EXPECT_EQ(balance[0].fixed_in, balance[1].fixed_in);
}

TEST(QuasiSteady, RunMatchesAFineStepRunOfTheSameConfig) {
  // The small scenario (vessels, 40 cells consuming oxygen and moving) for one day with
  // quasi-steady oxygen, against 0.05-minute Douglas sub-steps: oxygen relaxes in well
  // under a minute, so at the end of each 30-minute cell step the two agree.
  const std::string toml = testing::small_config("unused.h5");
  const auto steady = testing::build(toml, {"fields.oxygen.quasi_steady=true"});
  const auto fine = testing::build(toml, {"fields.oxygen.max_step_min=0.05"});
  for (sim::Simulation* s : {steady.get(), fine.get()}) {
    while (!s->finished()) s->step();
  }
  const auto& a = steady->world().fields()[0];
  const auto& b = fine->world().fields()[0];
  ASSERT_EQ(a.name(), "oxygen");
  double worst = 0.0, peak = 0.0;
  for (std::size_t i = 0; i < a.values().size(); ++i) {
    worst = std::max(worst, static_cast<double>(std::abs(a.values()[i] - b.values()[i])));
    peak = std::max(peak, static_cast<double>(b.values()[i]));
  }
  std::printf("quasi-steady vs 0.05-min oxygen after 1 day: max diff / max = %.1e\n", worst / peak);
  EXPECT_LT(worst / peak, 2e-3);
  const float lowest = *std::min_element(a.values().begin(), a.values().end());
  EXPECT_LT(lowest, 36.0f) << "the cells consumed oxygen: the comparison is not trivial";
}

}  // namespace
}  // namespace regensim::sim
