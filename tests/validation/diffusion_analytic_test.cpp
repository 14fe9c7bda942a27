// Validation of the diffusion-reaction solvers against analytic solutions: steady
// source-decay profile, point-source spreading, pure decay. The numbers printed here are
// the ones quoted in docs/validation.md ("Diffusion–reaction solver").
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/solver/diffusion_solver.hpp"
#include "tests/solver_test_support.hpp"

namespace regensim::sim {
namespace {

/// Advances `f` by `duration` in `n` equal steps.
void advance(DiffusionSolver& solver, Field& f, double duration, int n) {
  for (int k = 0; k < n; ++k) solver.step(f, duration / n);
}

// ---------------------------------------------------------------------------------------
// (1) Steady source-decay profile along x: c(0) = c0 on the x_low face, decay k, no flux
// at x = L. Exact: c(x) = c0 cosh((L - x)/λ) / cosh(L/λ), λ = sqrt(D/k).
//
// Reactions are inside the implicit solve, so the solver's fixed point is the exact
// steady state of the spatially discrete problem with the true decay k for any dt (a split
// reaction step would make it that of k/(1 + k dt)): what remains against the profile is
// the spatial error alone.

/// The discrete steady state on n cells with decay `k`, by the Thomas algorithm in double.
std::vector<double> discrete_steady_line(int n, double length, double d, double k, double c0) {
  const double h = length / n;
  const double c = d / (h * h);
  std::vector<double> diag(static_cast<std::size_t>(n)), rhs(static_cast<std::size_t>(n), 0.0);
  for (int j = 0; j < n; ++j) {
    diag[static_cast<std::size_t>(j)] = k + (j > 0 ? c : 2.0 * c) + (j < n - 1 ? c : 0.0);
  }
  rhs[0] = 2.0 * c * c0;
  for (int j = 1; j < n; ++j) {  // elimination with sub- and super-diagonal -c
    const auto i = static_cast<std::size_t>(j);
    const double m = -c / diag[i - 1];
    diag[i] += m * c;
    rhs[i] -= m * rhs[i - 1];
  }
  std::vector<double> u(static_cast<std::size_t>(n));
  u.back() = rhs.back() / diag.back();
  for (int j = n - 2; j >= 0; --j) {
    const auto i = static_cast<std::size_t>(j);
    u[i] = (rhs[i] + c * u[i + 1]) / diag[i];
  }
  return u;
}

struct SteadyErrors {
  double continuum = 0.0;  // max |c - profile| / c0
  double discrete = 0.0;   // max |c - discrete steady state with k| / c0
  double split = 0.0;      // max |c - discrete steady state with k/(1 + k dt)| / c0
};

SteadyErrors steady_profile_error(int n, int ny, int nz) {
  const double length = 1000.0;  // µm
  const double d = 1000.0;       // µm²/min
  const double k = 0.05;         // 1/min
  const double dt = 20.0;        // dt*k = 1
  const double c0 = 10.0;
  const double lambda = std::sqrt(d / k);  // 141 µm
  const Lattice lat(n, ny, nz, length / n);
  FieldSpec spec = spec_with(d, k);
  spec.faces[static_cast<std::size_t>(Face::XLow)] = {BoundaryKind::FixedValue,
                                                      static_cast<float>(c0)};
  Field f(spec, lat);
  auto solver = make_solver(SolverMethod::ImplicitLod, lat);
  advance(*solver, f, 200 * dt, 200);
  const std::vector<double> discrete = discrete_steady_line(n, length, d, k, c0);
  const std::vector<double> split = discrete_steady_line(n, length, d, k / (1.0 + k * dt), c0);
  SteadyErrors e;
  for (int z = 0; z < nz; ++z) {
    for (int y = 0; y < ny; ++y) {
      for (int x = 0; x < n; ++x) {
        const double xc = (x + 0.5) * lat.voxel_size_um();
        const double exact = c0 * std::cosh((length - xc) / lambda) / std::cosh(length / lambda);
        const double v = f.values()[lat.index(x, y, z)];
        const auto i = static_cast<std::size_t>(x);
        e.continuum = std::max(e.continuum, std::abs(v - exact) / c0);
        e.discrete = std::max(e.discrete, std::abs(v - discrete[i]) / c0);
        e.split = std::max(e.split, std::abs(v - split[i]) / c0);
      }
    }
  }
  return e;
}

TEST(DiffusionAnalytic, SteadyProfileIsSecondOrderInH) {
  struct Shape {
    int ny, nz;
  };
  for (const Shape shape : {Shape{1, 1}, Shape{3, 2}}) {
    std::vector<double> errors;
    for (const int n : {25, 50, 100}) {
      const SteadyErrors e = steady_profile_error(n, shape.ny, shape.nz);
      errors.push_back(e.continuum);
      std::printf(
          "steady profile %dx%dx%d: max |c - exact| / c0 = %.3e; against the discrete steady "
          "state %.1e (with k/(1 + k dt): %.2e)\n",
          n, shape.ny, shape.nz, e.continuum, e.discrete, e.split);
      // The fixed point is the unsplit discrete steady state, to float round-off.
      EXPECT_LT(e.discrete, 1e-6);
      EXPECT_GT(e.split, 0.05);
    }
    const double order_coarse = observed_order(errors[0], errors[1], 2.0);
    const double order_fine = observed_order(errors[1], errors[2], 2.0);
    std::printf("steady profile %s: observed order %.3f (h 40->20 um), %.3f (20->10 um)\n",
                shape.nz == 1 ? "line" : "slab", order_coarse, order_fine);
    EXPECT_GT(order_fine, 1.8);
    EXPECT_GT(order_coarse, 1.8);
    EXPECT_LT(errors[2], 1e-3);
  }
}

// ---------------------------------------------------------------------------------------
// (2) A unit mass in the centre voxel. On the lattice, Σ x² u grows by exactly 2·D·dt per
// step and axis for both solvers (each 1D operator changes only its own axis' moment), so
// the variance must equal 2·D·t to round-off while the mass is far from the faces.
struct Moments {
  double mass = 0.0;
  std::array<double, 3> variance{};
};

Moments moments(const Field& f, const Lattice& lat) {
  Moments m;
  const double h = lat.voxel_size_um();
  const double cx = (lat.nx() - 1) / 2.0, cy = (lat.ny() - 1) / 2.0, cz = (lat.nz() - 1) / 2.0;
  for (int z = 0; z < lat.nz(); ++z) {
    for (int y = 0; y < lat.ny(); ++y) {
      for (int x = 0; x < lat.nx(); ++x) {
        const double v = f.values()[lat.index(x, y, z)];
        m.mass += v;
        m.variance[0] += v * (x - cx) * (x - cx) * h * h;
        m.variance[1] += v * (y - cy) * (y - cy) * h * h;
        m.variance[2] += v * (z - cz) * (z - cz) * h * h;
      }
    }
  }
  for (double& v : m.variance) v /= m.mass;
  return m;
}

TEST(DiffusionAnalytic, PointSourceVarianceGrowsAsTwoDt) {
  // The identity needs negligible mass at the faces: the backward-Euler kernel has
  // exponential tails (ratio 0.5 per voxel at r = 2), hence the wide lattices.
  const double d = 100.0, h = 10.0, t = 12.0;  // 2Dt = 2400 µm², σ = 4.9 voxels
  struct Case {
    int n, nz;
    SolverMethod method;
    int steps;
  };
  const int explicit_2d =
      substep_count(t, 0.9 * explicit_stability_limit_min(Lattice(3, 3, 1, h), d));
  const int explicit_3d =
      substep_count(t, 0.9 * explicit_stability_limit_min(Lattice(3, 3, 3, h), d));
  for (const Case c : {Case{201, 1, SolverMethod::ImplicitLod, 6},
                       Case{201, 1, SolverMethod::ExplicitFtcs, explicit_2d},
                       Case{81, 81, SolverMethod::ImplicitLod, 12},
                       Case{81, 81, SolverMethod::ExplicitFtcs, explicit_3d}}) {
    const Lattice lat(c.n, c.n, c.nz, h);
    Field f(spec_with(d, 0.0), lat);
    f.values()[lat.index(c.n / 2, c.n / 2, c.nz / 2)] = 1.0f;
    auto solver = make_solver(c.method, lat);
    advance(*solver, f, t, c.steps);
    const Moments m = moments(f, lat);
    const double expected = 2.0 * d * t;
    std::printf(
        "point source %s %s dt = %.3f min: mass - 1 = %.1e, variance/(2Dt) - 1 = %.1e "
        "%.1e %.1e\n",
        c.nz == 1 ? "2D" : "3D", c.method == SolverMethod::ImplicitLod ? "implicit" : "explicit",
        t / c.steps, m.mass - 1.0, m.variance[0] / expected - 1.0, m.variance[1] / expected - 1.0,
        c.nz == 1 ? 0.0 : m.variance[2] / expected - 1.0);
    EXPECT_NEAR(m.mass, 1.0, 1e-6);
    for (int axis = 0; axis < lat.dimensions(); ++axis) {
      EXPECT_NEAR(m.variance[static_cast<std::size_t>(axis)], expected, 1e-5 * expected)
          << "axis " << axis;
    }
  }
}

// The exact solution of the spatially discrete problem for a unit mass at the origin of
// an unbounded lattice: a product over axes of exp(-2τ) I_|i|(2τ), τ = D t / h².
double lattice_green(int i, double tau) {
  return std::exp(-2.0 * tau) * std::cyl_bessel_i(static_cast<double>(std::abs(i)), 2.0 * tau);
}

/// max |u - G| / max G after t for a unit mass spreading on a 2D or 3D lattice.
double green_error(SolverMethod method, int nz, int steps, double t) {
  const double d = 100.0, h = 10.0;
  const int n = 41, c = 20;
  const Lattice lat(n, n, nz, h);
  Field f(spec_with(d, 0.0), lat);
  const int cz = nz / 2;
  f.values()[lat.index(c, c, cz)] = 1.0f;
  auto solver = make_solver(method, lat);
  advance(*solver, f, t, steps);
  const double tau = d * t / (h * h);
  double worst = 0.0;
  double peak = 0.0;
  for (int z = 0; z < nz; ++z) {
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        double g = lattice_green(x - c, tau) * lattice_green(y - c, tau);
        if (nz > 1) g *= lattice_green(z - cz, tau);
        peak = std::max(peak, g);
        worst = std::max(worst, std::abs(f.values()[lat.index(x, y, z)] - g));
      }
    }
  }
  return worst / peak;
}

// A unit mass is the roughest data there is: the Douglas factors damp components that are
// high-frequency along every axis by only (1 + z_x z_y)/((1 + z_x)(1 + z_y)) per step in 2D
// (z_a = dt times the axis eigenvalue, up to 4r), so at r >= 1 they linger and the error is
// large; the steps must resolve them (r well below 1) before the error falls at first order.
TEST(DiffusionAnalytic, PointSourceMatchesLatticeGreenFunctionFirstOrderInDt) {
  const double t = 12.0;  // τ = 12
  for (const int nz : {1, 41}) {
    std::vector<double> errors;
    for (const int steps : {6, 12, 24, 48, 96, 192}) {
      errors.push_back(green_error(SolverMethod::ImplicitLod, nz, steps, t));
      std::printf("implicit %s dt = %.2f min: max |u - G| / max G = %.3e\n", nz == 1 ? "2D" : "3D",
                  t / steps, errors.back());
    }
    for (std::size_t i = 0; i + 1 < errors.size(); ++i) {
      const double order = observed_order(errors[i], errors[i + 1], 2.0);
      std::printf("implicit %s: observed order in dt %.3f\n", nz == 1 ? "2D" : "3D", order);
      if (i + 2 == errors.size()) {
        EXPECT_NEAR(order, 1.0, 0.1);
      }
    }
    EXPECT_LT(errors.back(), nz == 1 ? 0.01 : 0.015);
    const Lattice lat(41, 41, nz, 10.0);
    const int steps = substep_count(t, 0.9 * explicit_stability_limit_min(lat, 100.0));
    const double e1 = green_error(SolverMethod::ExplicitFtcs, nz, steps, t);
    const double e2 = green_error(SolverMethod::ExplicitFtcs, nz, 2 * steps, t);
    const double order = observed_order(e1, e2, 2.0);
    std::printf("explicit %s dt = %.4f, %.4f min: max |u - G| / max G = %.3e, %.3e; order %.3f\n",
                nz == 1 ? "2D" : "3D", t / steps, t / (2 * steps), e1, e2, order);
    EXPECT_NEAR(order, 1.0, 0.1);
  }
}

// Against the free-space Gaussian: start from a Gaussian of variance σ0² sampled at the
// voxel centres and compare at t with variance σ0² + 2Dt. Time steps are small, so the
// error is the spatial one and falls as h².
double gaussian_error(SolverMethod method, double h, int nz, double dt) {
  const double d = 100.0, sigma0 = 30.0, t = 8.0;  // σ: 30 -> 50 µm
  const int n = static_cast<int>(std::lround(400.0 / h)) + 1;
  const int c = n / 2;
  const int cz = nz / 2;
  const Lattice lat(n, n, nz, h);
  const int dims = lat.dimensions();
  const auto gaussian = [&](int x, int y, int z, double var) {
    double r2 = ((x - c) * (x - c) + (y - c) * (y - c)) * h * h;
    if (nz > 1) r2 += (z - cz) * (z - cz) * h * h;
    return std::exp(-r2 / (2.0 * var)) / std::pow(2.0 * std::numbers::pi * var, dims / 2.0);
  };
  Field f(spec_with(d, 0.0), lat);
  for (int z = 0; z < nz; ++z) {
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        f.values()[lat.index(x, y, z)] = static_cast<float>(gaussian(x, y, z, sigma0 * sigma0));
      }
    }
  }
  auto solver = make_solver(method, lat);
  const int steps = substep_count(t, dt);
  advance(*solver, f, t, steps);
  const double var = sigma0 * sigma0 + 2.0 * d * t;
  double worst = 0.0;
  for (int z = 0; z < nz; ++z) {
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        worst = std::max(worst, std::abs(f.values()[lat.index(x, y, z)] - gaussian(x, y, z, var)));
      }
    }
  }
  const double rel = worst / gaussian(c, c, cz, var);
  std::printf("gaussian %s %s h = %.0f um, dt = %.4f min: max |u - G| / G(0) = %.3e\n",
              nz == 1 ? "2D" : "3D", method == SolverMethod::ImplicitLod ? "implicit" : "explicit",
              h, t / steps, rel);
  return rel;
}

TEST(DiffusionAnalytic, GaussianSpreadsLikeFreeSpaceGreenFunction) {
  for (const SolverMethod method : {SolverMethod::ImplicitLod, SolverMethod::ExplicitFtcs}) {
    const bool imp = method == SolverMethod::ImplicitLod;
    // 2D at h = 10 and 5 µm: second order in h.
    const double coarse = gaussian_error(method, 10.0, 1, imp ? 0.005 : 0.1);
    const double fine = gaussian_error(method, 5.0, 1, imp ? 0.005 : 0.025);
    const double order = observed_order(coarse, fine, 2.0);
    std::printf("gaussian 2D %s: observed order in h %.3f\n", imp ? "implicit" : "explicit", order);
    EXPECT_GT(order, 1.8);
    EXPECT_LT(coarse, 0.01);
    // 3D at h = 10 µm.
    EXPECT_LT(gaussian_error(method, 10.0, 41, imp ? 0.02 : 0.075), 0.015);
  }
}

// ---------------------------------------------------------------------------------------
// (3) Pure decay: backward Euler gives c0 / (1 + k dt)^n exactly per step, and tends to
// c0 exp(-k t) at first order in dt.
TEST(DiffusionAnalytic, PureDecayIsBackwardEulerAndFirstOrder) {
  const Lattice lat(8, 4, 2, 10.0);
  const double k = 0.1, t = 10.0;
  const KeyedRng rng(3, 1);
  std::vector<float> c0(lat.size());
  for (std::size_t i = 0; i < c0.size(); ++i) c0[i] = 1.0f + 9.0f * float(rng.uniform(0, i));

  Field one(spec_with(0.0, k), lat);
  one.values() = c0;
  auto solver = make_solver(SolverMethod::ImplicitLod, lat);
  solver->step(one, 0.5);
  for (std::size_t i = 0; i < c0.size(); ++i) {
    ASSERT_EQ(one.values()[i], static_cast<float>(static_cast<double>(c0[i]) / (1.0 + k * 0.5)))
        << "voxel " << i;
  }

  std::vector<double> errors;
  for (const int steps : {10, 20, 40, 80}) {
    Field f(spec_with(0.0, k), lat);
    f.values() = c0;
    advance(*solver, f, t, steps);
    const double dt = t / steps;
    double worst = 0.0;
    for (std::size_t i = 0; i < c0.size(); ++i) {
      const double backward_euler = c0[i] / std::pow(1.0 + k * dt, steps);
      EXPECT_NEAR(f.values()[i], backward_euler, 1e-6 * steps * backward_euler);
      worst = std::max(worst, std::abs(f.values()[i] - c0[i] * std::exp(-k * t)) / c0[i]);
    }
    errors.push_back(worst);
    std::printf("pure decay dt = %.3f min: max |c - c0 exp(-kt)| / c0 = %.4e\n", dt, worst);
  }
  for (std::size_t i = 0; i + 1 < errors.size(); ++i) {
    const double order = observed_order(errors[i], errors[i + 1], 2.0);
    std::printf("pure decay: observed order in dt %.4f\n", order);
    EXPECT_NEAR(order, 1.0, 0.05);
  }
}

}  // namespace
}  // namespace regensim::sim
