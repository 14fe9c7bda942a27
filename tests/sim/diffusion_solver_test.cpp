// Unit tests of the diffusion-reaction solvers: step counts, hand cases, conservation,
// mass balance, fixed voxels, thread-count independence and symmetry.
#include "sim/solver/diffusion_solver.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "sim/core/rng.hpp"

namespace regensim::sim {
namespace {

constexpr std::array<SolverMethod, 2> kMethods = {SolverMethod::ImplicitLod,
                                                  SolverMethod::ExplicitFtcs};

const char* method_name(SolverMethod m) {
  return m == SolverMethod::ImplicitLod ? "implicit_lod" : "explicit_ftcs";
}

FieldSpec spec_with(double diffusion, double decay) {
  FieldSpec s;
  s.name = "c";
  s.units = "au";
  s.diffusion_um2_per_min = diffusion;
  s.decay_per_min = decay;
  return s;
}

/// Uniform values in [lo, hi) keyed by voxel index.
void fill_random(Field& f, std::uint64_t seed, float lo, float hi) {
  const KeyedRng rng(seed, 1);
  auto& v = f.values();
  for (std::size_t i = 0; i < v.size(); ++i) {
    v[i] = lo + (hi - lo) * static_cast<float>(rng.uniform(0, i));
  }
}

/// A dense mask with `count` keyed fixed voxels.
std::vector<std::uint8_t> random_mask(const Lattice& lat, std::uint64_t seed, int count) {
  std::vector<std::uint8_t> m(lat.size(), 0);
  const KeyedRng rng(seed, 2);
  for (int k = 0; k < count; ++k) {
    const auto i = static_cast<std::size_t>(rng.uniform(0, static_cast<std::uint64_t>(k)) *
                                            static_cast<double>(lat.size()));
    m[i] = 1;
  }
  return m;
}

/// Point terms at keyed voxels (some repeated, some possibly on fixed voxels).
void add_point_terms(Field& f, const Lattice& lat, std::uint64_t seed, int count) {
  const KeyedRng rng(seed, 3);
  for (int k = 0; k < count; ++k) {
    const auto u = rng.uniform4(0, static_cast<std::uint64_t>(k));
    const auto i = static_cast<VoxelIndex>(u[0] * static_cast<double>(lat.size()));
    f.point_terms().push_back({i, static_cast<float>(5.0 * u[1]), static_cast<float>(u[2])});
    if (k % 4 == 0) f.point_terms().push_back({i, 1.0f, 0.5f});  // the same voxel again
  }
}

// ---------------------------------------------------------------------------------------
TEST(SubstepCount, RoundsUpWithToleranceForDecimalRatios) {
  EXPECT_EQ(substep_count(30.0, 10.0), 3);
  EXPECT_EQ(substep_count(30.0, 7.0), 5);
  EXPECT_EQ(substep_count(30.0, 30.0), 1);
  EXPECT_EQ(substep_count(1.0, 10.0), 1);
  EXPECT_EQ(substep_count(0.0, 1.0), 1);
  EXPECT_EQ(substep_count(0.3, 0.1), 3);  // 2.9999999999999996 in double
  EXPECT_EQ(substep_count(4.9, 0.7), 7);  // 7.000000000000001 in double
  EXPECT_EQ(substep_count(60.0, 0.3), 200);
  EXPECT_EQ(substep_count(30.0, std::numeric_limits<double>::infinity()), 1);
  EXPECT_THROW(substep_count(30.0, 0.0), std::invalid_argument);
  EXPECT_THROW(substep_count(30.0, -1.0), std::invalid_argument);
  EXPECT_THROW(substep_count(-1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(substep_count(1e300, 1e-300), std::invalid_argument);
}

TEST(StabilityLimit, IsHSquaredOverTwoDimsD) {
  EXPECT_DOUBLE_EQ(explicit_stability_limit_min(Lattice(10, 10, 1, 20.0), 1e5), 400.0 / 4e5);
  EXPECT_DOUBLE_EQ(explicit_stability_limit_min(Lattice(10, 10, 5, 20.0), 1e5), 400.0 / 6e5);
  EXPECT_DOUBLE_EQ(explicit_stability_limit_min(Lattice(10, 10, 5, 10.0), 1650.0),
                   100.0 / (6.0 * 1650.0));
  EXPECT_TRUE(std::isinf(explicit_stability_limit_min(Lattice(4, 4, 4, 10.0), 0.0)));
  EXPECT_THROW(explicit_stability_limit_min(Lattice(4, 4, 4, 10.0), -1.0), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------
TEST(ApplyReactions, PointTermsInOrderThenDecaySkippingFixedVoxels) {
  const Lattice lat(3, 3, 1, 10.0);
  Field f(spec_with(0.0, 0.2), lat);
  f.values() = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<std::uint8_t> mask(9, 0);
  mask[8] = 1;
  f.set_fixed_mask(mask.data());  // writes fixed_value 0 into voxel 8
  f.point_terms() = {{4, 2.0f, 0.5f}, {4, 0.0f, 1.0f}, {0, 3.0f, 0.0f}, {8, 100.0f, 0.0f}};
  const double dt = 0.5;
  const FieldBalance b = apply_reactions(f, dt);

  double c4 = (5.0 + dt * 2.0) / (1.0 + dt * 0.5);
  const double up1 = dt * 0.5 * c4;
  c4 = float(c4);
  c4 = c4 / (1.0 + dt * 1.0);
  const double up2 = dt * 1.0 * c4;
  const double c0 = 1.0 + dt * 3.0;
  EXPECT_DOUBLE_EQ(b.secreted, dt * 2.0 + dt * 3.0);  // the fixed voxel's 100 is skipped
  EXPECT_NEAR(b.taken_up, up1 + up2, 1e-6);
  const double k = 0.2 * dt;
  EXPECT_FLOAT_EQ(f.values()[4], static_cast<float>(float(c4) / (1.0 + k)));
  EXPECT_FLOAT_EQ(f.values()[0], static_cast<float>(c0 / (1.0 + k)));
  EXPECT_FLOAT_EQ(f.values()[1], static_cast<float>(2.0 / (1.0 + k)));
  EXPECT_EQ(f.values()[8], 0.0f);
  double kept = 0.0;
  for (int i = 0; i < 8; ++i) kept += f.values()[static_cast<std::size_t>(i)];
  EXPECT_NEAR(b.decayed, k * kept, 1e-5);
  EXPECT_EQ(b.boundary_in, 0.0);
  EXPECT_EQ(b.fixed_in, 0.0);
  EXPECT_EQ(f.point_terms().size(), 4u) << "the solver must not clear point terms";
}

TEST(ApplyReactions, SourceWithUptakeApproachesSOverU) {
  const Lattice lat(1, 1, 1, 10.0);
  Field f(spec_with(0.0, 0.0), lat);
  f.point_terms() = {{0, 3.0f, 1.5f}};
  for (int n = 0; n < 200; ++n) apply_reactions(f, 0.25);
  EXPECT_NEAR(f.values()[0], 2.0f, 1e-6f);
}

// ---------------------------------------------------------------------------------------
// Hand cases (r = dt*D/h^2 = 1 for the implicit solver, 0.1 for the explicit one).
TEST(ImplicitLod, ThreeVoxelLineHandCase) {
  const Lattice lat(3, 1, 1, 1.0);
  Field f(spec_with(1.0, 0.0), lat);
  f.values() = {1.0f, 0.0f, 0.0f};
  make_solver(SolverMethod::ImplicitLod, lat)->step(f, 1.0);
  // [2 -1 0; -1 3 -1; 0 -1 2] x = [1 0 0]  =>  x = [5/8, 1/4, 1/8].
  EXPECT_NEAR(f.values()[0], 0.625f, 1e-7f);
  EXPECT_NEAR(f.values()[1], 0.25f, 1e-7f);
  EXPECT_NEAR(f.values()[2], 0.125f, 1e-7f);
}

TEST(ImplicitLod, ThreeByThreeHandCase) {
  const Lattice lat(3, 3, 1, 1.0);
  Field f(spec_with(1.0, 0.0), lat);
  f.values()[4] = 1.0f;
  make_solver(SolverMethod::ImplicitLod, lat)->step(f, 1.0);
  // x sweep: [1/4 1/2 1/4] in the middle row; y sweep spreads each column the same way.
  const std::vector<float> expected = {1 / 16.f, 1 / 8.f,  1 / 16.f, 1 / 8.f, 1 / 4.f,
                                       1 / 8.f,  1 / 16.f, 1 / 8.f,  1 / 16.f};
  for (std::size_t i = 0; i < 9; ++i) EXPECT_NEAR(f.values()[i], expected[i], 1e-7f) << i;
}

TEST(ExplicitFtcs, ThreeByThreeHandCase) {
  const Lattice lat(3, 3, 1, 1.0);
  Field f(spec_with(1.0, 0.0), lat);
  f.values()[4] = 1.0f;
  make_solver(SolverMethod::ExplicitFtcs, lat)->step(f, 0.1);
  const std::vector<float> expected = {0, 0.1f, 0, 0.1f, 0.6f, 0.1f, 0, 0.1f, 0};
  for (std::size_t i = 0; i < 9; ++i) EXPECT_NEAR(f.values()[i], expected[i], 1e-7f) << i;
}

/// One backward-Euler solve per grid line with a dense double LU: an independent
/// implementation of the discretisation described in implicit_lod.hpp.
void reference_lod_step(const Lattice& lat, const FieldSpec& spec, const std::uint8_t* mask,
                        std::vector<double>& u, double dt) {
  const double h = lat.voxel_size_um();
  const double r = dt * spec.diffusion_um2_per_min / (h * h);
  const int n_axes = lat.dimensions();
  const int dims[3] = {lat.nx(), lat.ny(), lat.nz()};
  for (int axis = 0; axis < n_axes; ++axis) {
    const int n = dims[axis];
    const FaceBoundary lo = spec.faces[static_cast<std::size_t>(2 * axis)];
    const FaceBoundary hi = spec.faces[static_cast<std::size_t>(2 * axis + 1)];
    for (int a = 0; a < dims[(axis + 1) % 3]; ++a) {
      for (int b = 0; b < dims[(axis + 2) % 3]; ++b) {
        std::vector<std::size_t> idx(static_cast<std::size_t>(n));
        for (int j = 0; j < n; ++j) {
          int c[3];
          c[axis] = j;
          c[(axis + 1) % 3] = a;
          c[(axis + 2) % 3] = b;
          idx[static_cast<std::size_t>(j)] = lat.index(c[0], c[1], c[2]);
        }
        Eigen::MatrixXd m = Eigen::MatrixXd::Zero(n, n);
        Eigen::VectorXd rhs(n);
        for (int j = 0; j < n; ++j) {
          const std::size_t i = idx[static_cast<std::size_t>(j)];
          if (mask != nullptr && mask[i] != 0) {
            m(j, j) = 1.0;
            rhs(j) = static_cast<float>(spec.fixed_value);
            continue;
          }
          m(j, j) = 1.0;
          rhs(j) = u[i];
          if (j > 0) {
            m(j, j) += r;
            m(j, j - 1) = -r;
          } else if (lo.kind == BoundaryKind::FixedValue) {
            m(j, j) += 2 * r;
            rhs(j) += 2 * r * lo.value;
          }
          if (j < n - 1) {
            m(j, j) += r;
            m(j, j + 1) = -r;
          } else if (hi.kind == BoundaryKind::FixedValue) {
            m(j, j) += 2 * r;
            rhs(j) += 2 * r * hi.value;
          }
        }
        const Eigen::VectorXd x = m.partialPivLu().solve(rhs);
        for (int j = 0; j < n; ++j) u[idx[static_cast<std::size_t>(j)]] = x(j);
      }
    }
  }
}

TEST(ImplicitLod, MatchesDenseReferenceOnFiveByFive) {
  for (const int nz : {1, 5}) {
    const Lattice lat(5, 5, nz, 2.0);
    FieldSpec spec = spec_with(3.0, 0.0);
    spec.faces[static_cast<std::size_t>(Face::XLow)] = {BoundaryKind::FixedValue, 2.0f};
    spec.faces[static_cast<std::size_t>(Face::YHigh)] = {BoundaryKind::FixedValue, 0.5f};
    spec.faces[static_cast<std::size_t>(Face::ZLow)] = {BoundaryKind::FixedValue, 1.0f};
    spec.fixed_value = 4.0;
    Field f(spec, lat);
    fill_random(f, 11, 0.0f, 3.0f);
    std::vector<std::uint8_t> mask(lat.size(), 0);
    mask[lat.index(2, 2, nz / 2)] = 1;
    mask[lat.index(0, 3, 0)] = 1;
    mask[lat.index(4, 1, nz - 1)] = 1;
    f.set_fixed_mask(mask.data());
    std::vector<double> ref(f.values().begin(), f.values().end());
    auto solver = make_solver(SolverMethod::ImplicitLod, lat);
    for (int s = 0; s < 3; ++s) {
      solver->step(f, 0.7);  // r = 0.525
      reference_lod_step(lat, spec, mask.data(), ref, 0.7);
    }
    for (std::size_t i = 0; i < lat.size(); ++i) {
      EXPECT_NEAR(f.values()[i], ref[i], 2e-6 * std::abs(ref[i]) + 1e-7)
          << "nz=" << nz << " i=" << i;
    }
  }
}

// ---------------------------------------------------------------------------------------
TEST(Solvers, NoFluxConservesTotal) {
  for (const SolverMethod method : kMethods) {
    for (const int nz : {1, 8}) {
      const Lattice lat(23, 17, nz, 10.0);
      Field f(spec_with(100.0, 0.0), lat);
      fill_random(f, 5, 0.0f, 10.0f);
      const double before = f.total();
      auto solver = make_solver(method, lat);
      // The implicit solver at r = 1000 (its float elimination must not lose mass there),
      // the explicit one at 90 % of its stability limit.
      const double dt = method == SolverMethod::ImplicitLod
                            ? 1000.0
                            : 0.9 * explicit_stability_limit_min(lat, 100.0);
      for (int s = 0; s < 20; ++s) {
        const FieldBalance b = solver->step(f, dt);
        EXPECT_EQ(b.net(), 0.0);
      }
      EXPECT_NEAR(f.total(), before, 1e-6 * before) << method_name(method) << " nz=" << nz;
    }
  }
}

struct BalanceCase {
  SolverMethod method;
  int nz;
};

/// Runs 10 steps of a case with every kind of term and checks Δtotal == Σ balance.
void check_mass_balance(SolverMethod method, int nz) {
  const Lattice lat(24, 19, nz, 10.0);
  FieldSpec spec = spec_with(200.0, 0.05);
  spec.faces[static_cast<std::size_t>(Face::XLow)] = {BoundaryKind::FixedValue, 12.0f};
  spec.fixed_value = 7.0;
  Field f(spec, lat);
  fill_random(f, 21, 0.0f, 10.0f);
  const auto mask = random_mask(lat, 22, 15);
  f.set_fixed_mask(mask.data());
  add_point_terms(f, lat, 23, 30);
  const double dt = method == SolverMethod::ImplicitLod
                        ? 2.0  // r = 4
                        : 0.9 * explicit_stability_limit_min(lat, spec.diffusion_um2_per_min);
  auto solver = make_solver(method, lat);
  double worst = 0.0;
  for (int s = 0; s < 10; ++s) {
    const double before = f.total();
    const FieldBalance b = solver->step(f, dt);
    const double change = f.total() - before;
    const double scale = before + b.secreted + b.decayed + b.taken_up + std::abs(b.boundary_in) +
                         std::abs(b.fixed_in);
    EXPECT_NEAR(change, b.net(), 1e-5 * scale)
        << method_name(method) << " nz=" << nz << " step " << s << ": secreted " << b.secreted
        << " decayed " << b.decayed << " taken_up " << b.taken_up << " boundary_in "
        << b.boundary_in << " fixed_in " << b.fixed_in;
    worst = std::max(worst, std::abs(change - b.net()) / scale);
    EXPECT_GT(b.secreted, 0.0);
    EXPECT_GT(b.decayed, 0.0);
    EXPECT_GT(b.taken_up, 0.0);
    EXPECT_NE(b.boundary_in, 0.0);
    EXPECT_NE(b.fixed_in, 0.0);
    for (std::size_t i = 0; i < lat.size(); ++i) {
      if (mask[i] != 0) {
        ASSERT_EQ(f.values()[i], 7.0f) << "fixed voxel " << i << " moved";
      }
    }
  }
  std::printf("mass balance %s nz=%d: max |dtotal - net| / scale = %.1e\n", method_name(method), nz,
              worst);
}

TEST(Solvers, MassBalanceAndFixedVoxels2D) {
  for (const SolverMethod method : kMethods) check_mass_balance(method, 1);
}

TEST(Solvers, MassBalanceAndFixedVoxels3D) {
  for (const SolverMethod method : kMethods) check_mass_balance(method, 7);
}

// ---------------------------------------------------------------------------------------
/// Runs a case with every term on `threads` threads; returns values and balance.
std::pair<std::vector<float>, FieldBalance> run_with_threads(SolverMethod method, int nz,
                                                             int threads) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  // nx > 64 and ny*nz > 16 give several work units per sweep; > 4096 voxels give several
  // decay blocks.
  const Lattice lat(70, 33, nz, 10.0);
  FieldSpec spec = spec_with(150.0, 0.03);
  spec.faces[static_cast<std::size_t>(Face::YLow)] = {BoundaryKind::FixedValue, 3.0f};
  spec.faces[static_cast<std::size_t>(Face::ZHigh)] = {BoundaryKind::FixedValue, 1.0f};
  spec.fixed_value = 9.0;
  Field f(spec, lat);
  fill_random(f, 31, 0.0f, 5.0f);
  const auto mask = random_mask(lat, 32, 40);
  f.set_fixed_mask(mask.data());
  add_point_terms(f, lat, 33, 50);
  const double dt = method == SolverMethod::ImplicitLod
                        ? 3.0
                        : 0.9 * explicit_stability_limit_min(lat, spec.diffusion_um2_per_min);
  auto solver = make_solver(method, lat);
  FieldBalance total;
  for (int s = 0; s < 5; ++s) total += solver->step(f, dt);
  omp_set_num_threads(saved);
  return {f.values(), total};
}

TEST(Solvers, BitIdenticalForOneAndTwoThreads) {
  for (const SolverMethod method : kMethods) {
    for (const int nz : {1, 9}) {
      const auto [v1, b1] = run_with_threads(method, nz, 1);
      const auto [v2, b2] = run_with_threads(method, nz, 2);
      ASSERT_EQ(v1.size(), v2.size());
      EXPECT_EQ(std::memcmp(v1.data(), v2.data(), v1.size() * sizeof(float)), 0)
          << method_name(method) << " nz=" << nz;
      EXPECT_EQ(b1.secreted, b2.secreted);
      EXPECT_EQ(b1.decayed, b2.decayed);
      EXPECT_EQ(b1.taken_up, b2.taken_up);
      EXPECT_EQ(b1.boundary_in, b2.boundary_in);
      EXPECT_EQ(b1.fixed_in, b2.fixed_in);
    }
  }
}

TEST(Solvers, SymmetricInitialConditionStaysSymmetric) {
  for (const SolverMethod method : kMethods) {
    for (const int nz : {1, 9}) {
      const int n = 15;
      const Lattice lat(n, n, nz, 10.0);
      FieldSpec spec = spec_with(100.0, 0.02);
      for (auto& face : spec.faces) face = {BoundaryKind::FixedValue, 2.0f};
      Field f(spec, lat);
      // Symmetric under x -> n-1-x, y -> n-1-y, z -> nz-1-z and x <-> y.
      for (int z = 0; z < nz; ++z) {
        for (int y = 0; y < n; ++y) {
          for (int x = 0; x < n; ++x) {
            const int dx = std::abs(2 * x - (n - 1)), dy = std::abs(2 * y - (n - 1));
            const int dz = std::abs(2 * z - (nz - 1));
            f.values()[lat.index(x, y, z)] = static_cast<float>(dx * dx + dy * dy + dz);
          }
        }
      }
      f.point_terms().push_back({lat.index(n / 2, n / 2, nz / 2), 50.0f, 0.1f});
      auto solver = make_solver(method, lat);
      const double dt = method == SolverMethod::ImplicitLod
                            ? 5.0
                            : 0.9 * explicit_stability_limit_min(lat, 100.0);
      for (int s = 0; s < 10; ++s) solver->step(f, dt);
      float worst = 0.0f;
      for (int z = 0; z < nz; ++z) {
        for (int y = 0; y < n; ++y) {
          for (int x = 0; x < n; ++x) {
            const float v = f.values()[lat.index(x, y, z)];
            std::vector<VoxelIndex> mirrors = {lat.index(n - 1 - x, y, z),
                                               lat.index(x, n - 1 - y, z),
                                               lat.index(x, y, nz - 1 - z)};
            // LOD splitting with fixed-value faces is not symmetric under x <-> y (the
            // sweeps do not commute there); FTCS is.
            if (method == SolverMethod::ExplicitFtcs) mirrors.push_back(lat.index(y, x, z));
            for (const VoxelIndex m : mirrors) {
              worst = std::max(worst, std::abs(v - f.values()[m]) / std::abs(v));
            }
          }
        }
      }
      std::printf("symmetry %s nz=%d: max relative asymmetry %.1e\n", method_name(method), nz,
                  static_cast<double>(worst));
      EXPECT_LT(worst, 1e-6f) << method_name(method) << " nz=" << nz;
    }
  }
}

}  // namespace
}  // namespace regensim::sim
