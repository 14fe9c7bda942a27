#include "sim/solver/spectral_step.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstring>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/solver/implicit_lod.hpp"
#include "tests/solver_test_support.hpp"

namespace regensim::sim {
namespace {

FieldSpec exact_spec(double diffusion, double decay) {
  FieldSpec s = spec_with(diffusion, decay);
  s.exact_steps = true;
  return s;
}

/// The cell-centred operator D∇² - k with no-flux faces, assembled voxel by voxel.
Eigen::MatrixXd operator_matrix(const Lattice& lat, double diffusion, double decay) {
  const auto n = static_cast<Eigen::Index>(lat.size());
  const double g = diffusion / (lat.voxel_size_um() * lat.voxel_size_um());
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
  const int dims[3] = {lat.nx(), lat.ny(), lat.nz()};
  const Eigen::Index strides[3] = {1, lat.nx(), static_cast<Eigen::Index>(lat.nx()) * lat.ny()};
  for (int z = 0; z < lat.nz(); ++z) {
    for (int y = 0; y < lat.ny(); ++y) {
      for (int x = 0; x < lat.nx(); ++x) {
        const int at[3] = {x, y, z};
        const Eigen::Index i = x + strides[1] * y + strides[2] * z;
        a(i, i) -= decay;
        for (int axis = 0; axis < 3; ++axis) {
          for (const int step : {-1, 1}) {
            const int to = at[axis] + step;
            if (to < 0 || to >= dims[axis]) continue;  // no flux
            a(i, i) -= g;
            a(i, i + step * strides[axis]) += g;
          }
        }
      }
    }
  }
  return a;
}

/// u(dt) = e^{A dt} u + A^{-1}(e^{A dt} - 1) S by the eigen-decomposition of the assembled
/// operator: a second implementation that knows nothing of cosine transforms.
std::vector<double> reference_step(const Lattice& lat, double diffusion, double decay,
                                   const std::vector<float>& u0, const std::vector<double>& s,
                                   double dt) {
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(operator_matrix(lat, diffusion, decay));
  const Eigen::MatrixXd& v = eig.eigenvectors();
  const auto n = static_cast<Eigen::Index>(u0.size());
  Eigen::VectorXd u(n), src(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    u(i) = u0[static_cast<std::size_t>(i)];
    src(i) = s[static_cast<std::size_t>(i)];
  }
  Eigen::VectorXd uh = v.transpose() * u, sh = v.transpose() * src;
  for (Eigen::Index m = 0; m < n; ++m) {
    const double lambda = -eig.eigenvalues()(m);  // >= 0 up to rounding
    const double gain = std::abs(lambda * dt) < 1e-12 ? dt : -std::expm1(-lambda * dt) / lambda;
    uh(m) = std::exp(-lambda * dt) * uh(m) + gain * sh(m);
  }
  const Eigen::VectorXd out = v * uh;
  return {out.data(), out.data() + n};
}

struct Case {
  Lattice lattice;
  double diffusion, decay, dt;
};

TEST(SpectralStep, MatchesTheMatrixExponentialOfTheAssembledOperator) {
  // 3D, 2D and 1D lattices of odd, even and prime sides, one a single voxel wide in x (its
  // y-lines have stride 1); r = dt D / h^2 from 0.05 to 500;
  // with and without decay. Sources on a few voxels, one voxel listed twice.
  const Case cases[] = {
      {Lattice(6, 5, 4, 10.0), 1000.0, 0.01, 30.0},   {Lattice(6, 5, 4, 10.0), 100.0, 0.0, 0.5},
      {Lattice(7, 9, 1, 20.0), 1650.0, 0.0116, 30.0}, {Lattice(13, 1, 1, 5.0), 400.0, 0.1, 2.0},
      {Lattice(3, 8, 5, 2.0), 4000.0, 0.0, 0.5},      {Lattice(1, 7, 5, 10.0), 500.0, 0.02, 4.0},
      {Lattice(1, 1, 1, 10.0), 1.0, 0.2, 3.0}};
  for (const Case& c : cases) {
    const Lattice& lat = c.lattice;
    SCOPED_TRACE(::testing::Message()
                 << lat.nx() << "x" << lat.ny() << "x" << lat.nz()
                 << " r=" << c.dt * c.diffusion / (lat.voxel_size_um() * lat.voxel_size_um()));
    const KeyedRng rng(5, lat.size());
    Field f(exact_spec(c.diffusion, c.decay), lat);
    for (std::size_t i = 0; i < lat.size(); ++i)
      f.values()[i] = static_cast<float>(rng.uniform(0, i));
    std::vector<double> s(lat.size(), 0.0);
    for (const VoxelIndex v :
         {VoxelIndex{0}, static_cast<VoxelIndex>(lat.size() / 2),
          static_cast<VoxelIndex>(lat.size() / 2), static_cast<VoxelIndex>(lat.size() - 1)}) {
      f.point_terms().push_back({v, 2.5f, 0.0f});
      s[v] += 2.5;
    }
    const std::vector<double> want = reference_step(lat, c.diffusion, c.decay, f.values(), s, c.dt);
    const double before = f.total();
    ImplicitLodSolver solver(lat);
    ASSERT_TRUE(solver.steps_exactly(f));
    const FieldBalance b = solver.step(f, c.dt);
    double scale = 0.0, worst = 0.0;
    for (std::size_t i = 0; i < lat.size(); ++i) {
      scale = std::max(scale, std::abs(want[i]));
      worst = std::max(worst, std::abs(static_cast<double>(f.values()[i]) - want[i]));
    }
    EXPECT_LT(worst, 2e-6 * scale) << "against the matrix exponential";
    EXPECT_NEAR(b.secreted, c.dt * 10.0, 1e-12);
    EXPECT_NEAR(f.total() - before, b.net(), 1e-6 * (before + b.secreted));
  }
}

TEST(SpectralStep, DecaysACosineModeAtItsExactRate) {
  // u = cos(π a (x + ½)/nx) cos(π b (y + ½)/ny) cos(π c (z + ½)/nz) + 1 is a sum of two
  // eigenvectors: after dt it is e^{-λ dt} times the mode plus e^{-k dt}.
  const Lattice lat(40, 26, 15, 20.0);
  // dt such that the mode keeps e^{-λ dt} = 0.3 of itself: a wrong rate shows.
  const double diffusion = 1650.0, decay = std::log(2.0) / 60.0, dt = 0.5;
  const int a = 3, b = 5, c = 2;
  const double pi = std::acos(-1.0);
  const auto axis_rate = [&](int k, int n) {
    const double s = std::sin(pi * k / (2.0 * n));
    return 4.0 * diffusion / 400.0 * s * s;
  };
  const double lambda = decay + axis_rate(a, 40) + axis_rate(b, 26) + axis_rate(c, 15);
  Field f(exact_spec(diffusion, decay), lat);
  const auto mode = [&](int x, int y, int z) {
    return std::cos(pi * a * (x + 0.5) / 40) * std::cos(pi * b * (y + 0.5) / 26) *
           std::cos(pi * c * (z + 0.5) / 15);
  };
  for (int z = 0; z < 15; ++z)
    for (int y = 0; y < 26; ++y)
      for (int x = 0; x < 40; ++x)
        f.values()[lat.index(x, y, z)] = static_cast<float>(mode(x, y, z) + 1.0);
  ImplicitLodSolver solver(lat);
  solver.step(f, dt);
  double worst = 0.0;
  for (int z = 0; z < 15; ++z)
    for (int y = 0; y < 26; ++y)
      for (int x = 0; x < 40; ++x) {
        const double want = std::exp(-lambda * dt) * mode(x, y, z) + std::exp(-decay * dt);
        worst = std::max(worst, std::abs(f.values()[lat.index(x, y, z)] - want));
      }
  EXPECT_LT(worst, 1e-6);
}

TEST(SpectralStep, IsTheSameForAnyThreadCountAndSetsOnlyRoundOffToZero) {
  // Partial blocks on every axis (70 = 2 * 32 + 6 lines); sources on a quarter of the
  // voxels of a ball, zero initial values, so most voxels end near zero.
  const Lattice lat(70, 45, 33, 20.0);
  std::vector<float> results[2];
  double rounded[2] = {};
  const int saved = omp_get_max_threads();
  for (const int threads : {1, 2}) {
    omp_set_num_threads(threads);
    Field f(exact_spec(1650.0, 0.0116), lat);
    const KeyedRng rng(9, 1);
    for (std::size_t i = 0; i < lat.size(); i += 4) {
      const Coord p = lat.coord(static_cast<VoxelIndex>(i));
      const int x = p.x, y = p.y, z = p.z;
      if ((x - 35) * (x - 35) + (y - 22) * (y - 22) + (z - 16) * (z - 16) < 100) {
        f.point_terms().push_back(
            {static_cast<VoxelIndex>(i), static_cast<float>(rng.uniform(0, i)), 0.0f});
      }
    }
    ImplicitLodSolver solver(lat);
    double before = 0.0;
    for (int step = 0; step < 3; ++step) {
      before = f.total();
      const FieldBalance b = solver.step(f, 30.0);
      EXPECT_NEAR(f.total() - before, b.net(), 1e-6 * (before + b.secreted));
    }
    for (const float v : f.values()) ASSERT_GE(v, 0.0f);
    results[threads - 1] = f.values();
    rounded[threads - 1] = solver.exact_step_rounded_up();
    // Round-off only: far below one float ulp of the largest value, per voxel.
    const float largest = *std::max_element(f.values().begin(), f.values().end());
    EXPECT_LT(rounded[threads - 1], 1e-6 * largest * static_cast<double>(lat.size()));
  }
  omp_set_num_threads(saved);
  ASSERT_EQ(results[0].size(), results[1].size());
  EXPECT_EQ(std::memcmp(results[0].data(), results[1].data(), results[0].size() * sizeof(float)),
            0);
  EXPECT_EQ(rounded[0], rounded[1]);
}

TEST(SpectralStep, AnExactStepMakesTheNextDouglasStepStartGraded) {
  // Douglas with forcing L (uptake), an exact step (secretion only), then L again: the
  // exact step records no signature of its own forcing but a marker, so the last step
  // starts graded, as a fresh solver's first step does from the same values.
  const Lattice lat(12, 10, 8, 20.0);
  const std::vector<PointTerm> with_uptake = {{5, 1.0f, 0.3f}, {400, 2.0f, 0.0f}};
  const std::vector<PointTerm> secreting = {{5, 1.0f, 0.0f}, {400, 2.0f, 0.0f}};
  Field f(exact_spec(1650.0, 0.0116), lat);
  ImplicitLodSolver solver(lat);
  f.point_terms() = with_uptake;
  solver.step(f, 30.0);
  const auto signature = [&] {
    for (const SolverWord& w : solver.carried_state()) {
      if (w.name == "forcing/c") return w.value;
    }
    ADD_FAILURE() << "no forcing word";
    return std::uint64_t{1};
  };
  const std::uint64_t douglas = signature();
  EXPECT_NE(douglas, 0u);
  f.point_terms() = secreting;
  ASSERT_TRUE(solver.steps_exactly(f));
  solver.step(f, 30.0);
  EXPECT_EQ(signature(), 0u) << "an exact step records the marker";

  Field fresh_field(exact_spec(1650.0, 0.0116), lat);
  fresh_field.values() = f.values();
  f.point_terms() = with_uptake;
  fresh_field.point_terms() = with_uptake;
  solver.step(f, 30.0);
  EXPECT_EQ(signature(), douglas);
  ImplicitLodSolver fresh(lat);
  fresh.step(fresh_field, 30.0);
  EXPECT_EQ(std::memcmp(f.values().data(), fresh_field.values().data(),
                        f.values().size() * sizeof(float)),
            0);
}

TEST(SpectralStep, AppliesOnlyWhereTheCosineBasisDiagonalises) {
  const Lattice lat(8, 8, 8, 10.0);
  ImplicitLodSolver solver(lat);
  Field plain(exact_spec(100.0, 0.01), lat);
  plain.point_terms().push_back({3, 1.0f, 0.0f});
  EXPECT_TRUE(solver.steps_exactly(plain));

  Field off(spec_with(100.0, 0.01), lat);  // exact_steps not asked for
  EXPECT_FALSE(solver.steps_exactly(off));

  Field uptake(exact_spec(100.0, 0.01), lat);
  uptake.point_terms().push_back({3, 1.0f, 0.5f});
  EXPECT_FALSE(solver.steps_exactly(uptake));

  FieldSpec face = exact_spec(100.0, 0.01);
  face.faces[static_cast<std::size_t>(Face::ZHigh)] = {BoundaryKind::FixedValue, 1.0f};
  EXPECT_FALSE(solver.steps_exactly(Field(face, lat)));

  Field fixed(exact_spec(100.0, 0.01), lat);
  std::vector<std::uint8_t> mask(lat.size(), 0);
  fixed.set_fixed_mask(mask.data());
  EXPECT_FALSE(solver.steps_exactly(fixed));

  FieldSpec steady = exact_spec(100.0, 0.01);
  steady.quasi_steady = true;
  EXPECT_FALSE(solver.steps_exactly(Field(steady, lat)));

  // The reasons, as `regensim check` prints them; a side with a prime factor above 13
  // (17 here; 13 itself is fine) keeps the Douglas steps.
  EXPECT_EQ(exact_step_obstacle(lat, plain), "");
  EXPECT_EQ(exact_step_obstacle(lat, Field(face, lat)), "its z_high face holds a fixed value");
  EXPECT_EQ(exact_step_obstacle(lat, Field(steady, lat)), "it is quasi-steady");
  EXPECT_NE(exact_step_obstacle(lat, fixed).find("fixed layer"), std::string::npos);
  const Lattice prime_side(8, 34, 4, 10.0), fine_side(8, 26, 4, 10.0);
  Field on_prime(exact_spec(100.0, 0.01), prime_side);
  EXPECT_EQ(exact_step_obstacle(prime_side, on_prime),
            "lattice side 34 has a prime factor above 13");
  EXPECT_FALSE(ImplicitLodSolver(prime_side).steps_exactly(on_prime));
  EXPECT_TRUE(
      ImplicitLodSolver(fine_side).steps_exactly(Field(exact_spec(100.0, 0.01), fine_side)));
}

}  // namespace
}  // namespace regensim::sim
