// Unit tests of the diffusion-reaction solvers: step counts, hand cases, dense references,
// steady state, non-negativity, graded start, conservation, mass balance, fixed voxels,
// thread-count independence and symmetry.
#include "sim/solver/diffusion_solver.hpp"
#include "tests/dense_diffusion_reference.hpp"
#include "tests/solver_test_support.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/solver/implicit_lod.hpp"

namespace regensim::sim {
namespace {

constexpr std::array<SolverMethod, 2> kMethods = {SolverMethod::ImplicitLod,
                                                  SolverMethod::ExplicitFtcs};

const char* method_name(SolverMethod m) {
  return m == SolverMethod::ImplicitLod ? "implicit_lod" : "explicit_ftcs";
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
// Hand cases (r = dt*D/h^2 = 1 for the implicit solver, 0.1 for the explicit one). The
// implicit solver is built without its graded start, so that one call is one step.
TEST(ImplicitLod, ThreeVoxelLineHandCase) {
  const Lattice lat(3, 1, 1, 1.0);
  Field f(spec_with(1.0, 0.0), lat);
  f.values() = {1.0f, 0.0f, 0.0f};
  ImplicitLodSolver(lat, false).step(f, 1.0);
  // One axis: the Douglas step is backward Euler,
  // [2 -1 0; -1 3 -1; 0 -1 2] x = [1 0 0]  =>  x = [5/8, 1/4, 1/8].
  EXPECT_NEAR(f.values()[0], 0.625f, 1e-7f);
  EXPECT_NEAR(f.values()[1], 0.25f, 1e-7f);
  EXPECT_NEAR(f.values()[2], 0.125f, 1e-7f);
}

TEST(ImplicitLod, ThreeByThreeHandCase) {
  // In 2D the Douglas step is u1 = P^-1 (I + r² D_x D_y) u0 with P = (I - r D_x)(I - r D_y).
  // For u0 = 1 + δ (centre): the constant passes unchanged and, with g = (I - r D)^-1 δ =
  // (1/4, 1/2, 1/4) on the no-flux 3-line and (I - r D)^-1 r D δ = g - δ,
  // u1 = 1 + g⊗g + (g - δ)⊗(g - δ): corners 1 + 1/8, edges 1, centre 1 + 1/2.
  const Lattice lat(3, 3, 1, 1.0);
  Field f(spec_with(1.0, 0.0), lat);
  std::fill(f.values().begin(), f.values().end(), 1.0f);
  f.values()[4] = 2.0f;
  ImplicitLodSolver solver(lat, false);
  solver.step(f, 1.0);
  const std::vector<float> expected = {1.125f, 1.0f,   1.125f, 1.0f,  1.5f,
                                       1.0f,   1.125f, 1.0f,   1.125f};
  for (std::size_t i = 0; i < 9; ++i) EXPECT_NEAR(f.values()[i], expected[i], 2e-7f) << i;
  EXPECT_EQ(solver.positivity_fallbacks(), 0);
}

TEST(ExplicitFtcs, ThreeByThreeHandCase) {
  const Lattice lat(3, 3, 1, 1.0);
  Field f(spec_with(1.0, 0.0), lat);
  f.values()[4] = 1.0f;
  make_solver(SolverMethod::ExplicitFtcs, lat)->step(f, 0.1);
  const std::vector<float> expected = {0, 0.1f, 0, 0.1f, 0.6f, 0.1f, 0, 0.1f, 0};
  for (std::size_t i = 0; i < 9; ++i) EXPECT_NEAR(f.values()[i], expected[i], 1e-7f) << i;
}

/// One Douglas step (implicit_lod.hpp) with dense LU solves in double.
void reference_douglas_step(const Lattice& lat, const FieldSpec& spec, const std::uint8_t* mask,
                            const std::vector<PointTerm>& terms, std::vector<double>& u,
                            double dt) {
  const DenseProblem p = dense_problem(lat, spec, mask, terms, u);
  const auto n = static_cast<Eigen::Index>(lat.size());
  const Eigen::Map<Eigen::VectorXd> v(u.data(), n);
  Eigen::VectorXd f = p.b + p.source - p.rate.cwiseProduct(v);
  for (int axis = 0; axis < lat.dimensions(); ++axis) f += p.a[static_cast<std::size_t>(axis)] * v;
  f *= dt;
  const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(n, n);
  Eigen::VectorXd d = f;
  for (int axis = 0; axis < lat.dimensions(); ++axis) {
    Eigen::MatrixXd m = identity - dt * p.a[static_cast<std::size_t>(axis)];
    if (axis == 0) m.diagonal() += dt * p.rate;
    d = m.partialPivLu().solve(d);
  }
  for (Eigen::Index i = 0; i < n; ++i) u[static_cast<std::size_t>(i)] += d(i);
}

TEST(ImplicitLod, MatchesDenseDouglasReference) {
  struct Shape {
    int nx, ny, nz;
  };
  for (const Shape shape : {Shape{5, 5, 1}, Shape{5, 5, 5}, Shape{1, 5, 4}}) {
    const Lattice lat(shape.nx, shape.ny, shape.nz, 2.0);
    FieldSpec spec = spec_with(3.0, 0.2);
    spec.faces[static_cast<std::size_t>(Face::XLow)] = {BoundaryKind::FixedValue, 2.0f};
    spec.faces[static_cast<std::size_t>(Face::YHigh)] = {BoundaryKind::FixedValue, 0.5f};
    spec.faces[static_cast<std::size_t>(Face::ZLow)] = {BoundaryKind::FixedValue, 1.0f};
    spec.fixed_value = 4.0;
    Field f(spec, lat);
    fill_random(f, 11, 1.0f, 3.0f);
    std::vector<std::uint8_t> mask(lat.size(), 0);
    mask[lat.index(shape.nx / 2, 2, shape.nz / 2)] = 1;
    mask[lat.index(0, 3, 0)] = 1;
    f.set_fixed_mask(mask.data());
    // Repeated voxel, secretion and uptake together, and a term on a fixed voxel (ignored).
    f.point_terms() = {{lat.index(shape.nx - 1, 1, shape.nz - 1), 3.0f, 0.5f},
                       {lat.index(shape.nx - 1, 1, shape.nz - 1), 1.0f, 2.0f},
                       {lat.index(0, 4, shape.nz - 1), 0.0f, 4.0f},
                       {lat.index(0, 0, 0), 2.0f, 0.0f},
                       {lat.index(0, 3, 0), 50.0f, 1.0f}};
    std::vector<double> ref(f.values().begin(), f.values().end());
    ImplicitLodSolver solver(lat, false);
    for (int s = 0; s < 3; ++s) {
      solver.step(f, 0.7);  // r = 0.525
      reference_douglas_step(lat, spec, mask.data(), f.point_terms(), ref, 0.7);
    }
    EXPECT_EQ(solver.positivity_fallbacks(), 0);
    for (std::size_t i = 0; i < lat.size(); ++i) {
      EXPECT_NEAR(f.values()[i], ref[i], 2e-6 * std::abs(ref[i]) + 1e-7)
          << shape.nx << "x" << shape.ny << "x" << shape.nz << " i=" << i;
    }
  }
}

TEST(ImplicitLod, SteadyStateIsExactForAnyStep) {
  // The fixed point of the Douglas step is F = 0: the exact steady state of the spatially
  // discrete problem, whatever dt (a split reaction step would shift it, e.g. decay k to
  // k/(1 + k dt)). Start there and check that steps of any length stay there.
  const Lattice lat(9, 8, 6, 10.0);
  FieldSpec spec = spec_with(100.0, 0.05);
  spec.faces[static_cast<std::size_t>(Face::XLow)] = {BoundaryKind::FixedValue, 3.0f};
  spec.faces[static_cast<std::size_t>(Face::ZHigh)] = {BoundaryKind::FixedValue, 1.0f};
  spec.fixed_value = 5.0;
  Field f(spec, lat);
  const auto mask = random_mask(lat, 41, 6);
  f.set_fixed_mask(mask.data());
  add_point_terms(f, lat, 42, 12);
  const Eigen::VectorXd steady = dense_steady_state(lat, spec, mask.data(), f);
  const auto n = static_cast<Eigen::Index>(lat.size());
  const double peak = steady.maxCoeff();
  for (const double dt : {0.01, 1.0, 100.0, 1000.0, 1e4}) {
    for (Eigen::Index i = 0; i < n; ++i) f.values()[static_cast<std::size_t>(i)] = float(steady(i));
    ImplicitLodSolver solver(lat);
    double worst = 0.0;
    for (int s = 0; s < 5; ++s) {
      const double before = f.total();
      const FieldBalance b = solver.step(f, dt);
      EXPECT_NEAR(f.total() - before, b.net(), 1e-6 * before);
      for (Eigen::Index i = 0; i < n; ++i) {
        worst = std::max(worst, std::abs(f.values()[static_cast<std::size_t>(i)] - steady(i)));
      }
    }
    std::printf("steady state, dt = %g min (r = %g): max |u - u_ss| / max u_ss = %.1e\n", dt, dt,
                worst / peak);
    EXPECT_LT(worst / peak, 1e-6) << "dt = " << dt;
  }
}

TEST(ImplicitLod, NonNegativeForNonNegativeData) {
  // Rough non-negative data (isolated spikes on zero, zero faces and vessels, strong sinks)
  // at r from 0.5 to 5000: a Douglas step alone goes negative next to the spikes; the
  // solver must catch that and take the positive step instead.
  std::int64_t fallbacks = 0;
  for (const int nz : {1, 15}) {
    for (const double r : {0.5, 2.0, 50.0, 5000.0}) {
      for (const bool graded : {false, true}) {
        const Lattice lat(15, 15, nz, 10.0);
        FieldSpec spec = spec_with(100.0, 0.01);  // r = dt
        spec.faces[static_cast<std::size_t>(Face::XLow)] = {BoundaryKind::FixedValue, 0.0f};
        spec.faces[static_cast<std::size_t>(Face::YHigh)] = {BoundaryKind::FixedValue, 2.0f};
        Field f(spec, lat);
        const auto mask = random_mask(lat, 51, 4);
        f.set_fixed_mask(mask.data());  // held at 0
        const KeyedRng rng(52, 1);
        for (std::uint64_t k = 0; k < 6; ++k) {
          const auto w = rng.uniform4(0, k);
          const auto i = static_cast<VoxelIndex>(w[0] * static_cast<double>(lat.size()));
          if (mask[i] == 0) f.values()[i] = 10.0f;
          f.point_terms().push_back({static_cast<VoxelIndex>(w[1] * double(lat.size())),
                                     k % 2 == 0 ? 5.0f : 0.0f, static_cast<float>(100.0 * w[2])});
        }
        ImplicitLodSolver solver(lat, graded);
        for (int s = 0; s < 8; ++s) {
          solver.step(f, r);
          const float lowest = *std::min_element(f.values().begin(), f.values().end());
          ASSERT_GE(lowest, 0.0f) << "nz=" << nz << " r=" << r << " graded=" << graded << " step "
                                  << s;
        }
        fallbacks += solver.positivity_fallbacks();
      }
    }
  }
  std::printf("non-negative data: %lld positive fallback sub-steps in all cases\n",
              static_cast<long long>(fallbacks));
  EXPECT_GT(fallbacks, 0) << "the cases must exercise the fallback";
}

TEST(ImplicitLod, FallbackIsTheBackwardEulerLodStep) {
  // A unit mass on zero, r = 1: the Douglas step would leave g_y (2 g_0 - 1) < 0 along the
  // axes through the mass (g_0 < 1/2), so the step is the backward-Euler LOD one,
  // compared here with dense line solves.
  const Lattice lat(7, 7, 1, 1.0);
  Field f(spec_with(1.0, 0.0), lat);
  f.values()[lat.index(3, 3, 0)] = 1.0f;
  std::vector<double> ref(f.values().begin(), f.values().end());
  const DenseProblem p = dense_problem(lat, f.spec(), nullptr, {}, ref);
  const auto n = static_cast<Eigen::Index>(lat.size());
  Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(ref.data(), n);
  for (int axis = 0; axis < 2; ++axis) {
    x = (Eigen::MatrixXd::Identity(n, n) - p.a[static_cast<std::size_t>(axis)])
            .partialPivLu()
            .solve(x);
  }
  ImplicitLodSolver solver(lat, false);
  solver.step(f, 1.0);
  EXPECT_EQ(solver.positivity_fallbacks(), 1);
  for (Eigen::Index i = 0; i < n; ++i) {
    EXPECT_NEAR(f.values()[static_cast<std::size_t>(i)], x(i), 1e-7) << i;
  }
}

TEST(ImplicitLod, GradedStartWhenTheForcingChanges) {
  const Lattice lat(12, 10, 6, 10.0);
  FieldSpec spec = spec_with(100.0, 0.1);
  spec.fixed_value = 3.0;
  const auto mask = random_mask(lat, 61, 5);
  Field graded(spec, lat), manual(spec, lat);
  for (Field* f : {&graded, &manual}) {
    fill_random(*f, 62, 1.0f, 2.0f);
    f->set_fixed_mask(mask.data());
    add_point_terms(*f, lat, 63, 10);
  }
  ImplicitLodSolver a(lat), b(lat, false);
  const double dt = 3.0;  // r = 3: levels = ceil(log2(3 / (1/4))) = 4
  const auto same = [&] {
    return std::memcmp(graded.values().data(), manual.values().data(),
                       graded.values().size() * sizeof(float)) == 0;
  };
  const auto graded_by_hand = [&] {
    b.step(manual, dt / 16);
    for (const double sub : {dt / 16, dt / 8, dt / 4, dt / 2}) b.step(manual, sub);
  };
  a.step(graded, dt);  // first step: graded
  graded_by_hand();
  EXPECT_TRUE(same()) << "first step";
  a.step(graded, dt);  // same forcing: one step
  b.step(manual, dt);
  EXPECT_TRUE(same()) << "unchanged forcing";
  // Listing the same terms in another order changes nothing, not even the grading.
  std::reverse(graded.point_terms().begin(), graded.point_terms().end());
  a.step(graded, dt);
  b.step(manual, dt);
  EXPECT_TRUE(same()) << "reordered terms";
  std::reverse(graded.point_terms().begin(), graded.point_terms().end());
  for (Field* f : {&graded, &manual}) f->point_terms()[3].voxel = f->point_terms()[3].voxel + 1;
  a.step(graded, dt);  // a term moved: graded
  graded_by_hand();
  EXPECT_TRUE(same()) << "moved term";
  auto moved = mask;
  moved[lat.index(6, 5, 3)] = 1;
  for (Field* f : {&graded, &manual}) f->set_fixed_mask(moved.data());
  a.step(graded, dt);  // the fixed mask changed: graded
  graded_by_hand();
  EXPECT_TRUE(same()) << "changed mask";
  a.step(graded, dt);  // the same mask again: one step
  b.step(manual, dt);
  EXPECT_TRUE(same()) << "unchanged mask";
  // A vessel layer may change in place (same pointer): still a change. The voxel is in
  // the quick fingerprint's byte-wise tail (720 voxels are not a whole number of 32-byte
  // blocks).
  moved[lat.size() - 1] = moved[lat.size() - 1] != 0 ? 0 : 1;
  a.step(graded, dt);
  graded_by_hand();
  EXPECT_TRUE(same()) << "mask changed in place";
}

/// The checkpoint's forcing fingerprint (checkpoint_version 1), restated: FNV-1a over
/// 64-bit words; the terms off fixed voxels sorted by voxel, then secretion, then uptake,
/// each as three words (voxel, secretion bits, uptake bits); then one word, the mask's own
/// FNV-1a over a presence word (1 or 0) and the mask's bytes read as little-endian 8-byte
/// words, the tail byte by byte.
std::uint64_t checkpoint_fingerprint(const Field& f, std::size_t voxels) {
  constexpr std::uint64_t kPrime = 1099511628211ull;
  const auto add = [](std::uint64_t h, std::uint64_t w) { return (h ^ w) * kPrime; };
  const std::uint8_t* mask = f.fixed_mask();
  std::vector<PointTerm> terms;
  for (const PointTerm& t : f.point_terms()) {
    if (mask == nullptr || mask[t.voxel] == 0) terms.push_back(t);
  }
  std::sort(terms.begin(), terms.end(), [](const PointTerm& a, const PointTerm& b) {
    if (a.voxel != b.voxel) return a.voxel < b.voxel;
    if (a.secretion_per_min != b.secretion_per_min)
      return a.secretion_per_min < b.secretion_per_min;
    return a.uptake_per_min < b.uptake_per_min;
  });
  std::uint64_t h = 14695981039346656037ull;
  for (const PointTerm& t : terms) {
    h = add(h, t.voxel);
    h = add(h, std::bit_cast<std::uint32_t>(t.secretion_per_min));
    h = add(h, std::bit_cast<std::uint32_t>(t.uptake_per_min));
  }
  std::uint64_t m = add(14695981039346656037ull, mask != nullptr ? 1 : 0);
  if (mask != nullptr) {
    std::size_t i = 0;
    for (; i + 8 <= voxels; i += 8) {
      std::uint64_t word = 0;
      for (int b = 7; b >= 0; --b) word = (word << 8) | mask[i + static_cast<std::size_t>(b)];
      m = add(m, word);
    }
    for (; i < voxels; ++i) m = add(m, mask[i]);
  }
  return add(h, m);
}

TEST(ImplicitLod, CarriesTheCheckpointFormatsForcingFingerprint) {
  // Checkpoints written by earlier builds must restart the same: the carried word is the
  // fingerprint above, after a first step, after steps with the same, reordered and moved
  // terms, with a term on a fixed voxel (left out), and after the mask changed in place
  // (its fingerprint is recomputed only when a quick check notices), with and without a
  // fixed mask.
  const Lattice lat(9, 7, 5, 10.0);  // 315 voxels: a byte-wise tail
  for (const bool masked : {false, true}) {
    auto mask = random_mask(lat, 81, 6);
    Field f(spec_with(100.0, 0.1), lat);
    if (masked) f.set_fixed_mask(mask.data());
    add_point_terms(f, lat, 82, 12);
    const VoxelIndex fixed_voxel = lat.index(4, 3, 2);
    mask[fixed_voxel] = 1;
    f.point_terms().push_back({fixed_voxel, 3.0f, 0.25f});
    ImplicitLodSolver solver(lat);
    const auto carried = [&] {
      for (const SolverWord& w : solver.carried_state()) {
        if (w.name == "forcing/" + f.name()) return w.value;
      }
      ADD_FAILURE() << "no forcing word";
      return std::uint64_t{0};
    };
    std::uint64_t previous = 0;
    for (int step = 0; step < 6; ++step) {
      if (step == 2) std::reverse(f.point_terms().begin(), f.point_terms().end());
      if (step == 3) {
        PointTerm& t = f.point_terms()[5];
        t.voxel = static_cast<VoxelIndex>((t.voxel + 1) % lat.size());
      }
      if (step == 4) mask[lat.size() - 2] ^= 1;  // in place: the same pointer
      solver.step(f, 1.0);
      const std::uint64_t expected = checkpoint_fingerprint(f, lat.size());
      EXPECT_EQ(carried(), expected) << "masked " << masked << ", step " << step;
      // The changes above do change the fingerprint (else this test could not tell).
      if (step == 3 || (masked && step == 4)) {
        EXPECT_NE(expected, previous) << "step " << step;
      }
      previous = expected;
    }
    if (masked) {
      // The term on the fixed voxel is left out: listing it again at another value
      // changes nothing.
      f.point_terms().push_back({fixed_voxel, 7.0f, 0.0f});
      solver.step(f, 1.0);
      EXPECT_EQ(carried(), previous);
    }
  }
}

TEST(ImplicitLod, FieldsSharingAVoxelListStepAsAlone) {
  // The solver keeps the voxel order of the last field's terms for the next field with the
  // same voxel sequence. Each field must still step exactly as with a solver of its own:
  // the same voxels with other values, the same voxels in another order, and one more.
  const Lattice lat(11, 9, 5, 10.0);
  const FieldSpec spec = spec_with(100.0, 0.1);
  Field first(spec, lat);
  fill_random(first, 71, 1.0f, 2.0f);
  add_point_terms(first, lat, 72, 30);
  const std::vector<PointTerm> base = first.point_terms();
  std::vector<std::vector<PointTerm>> lists(3, base);
  for (PointTerm& t : lists[0]) t.secretion_per_min *= 3.0f;  // same voxels
  std::reverse(lists[1].begin(), lists[1].end());             // reordered
  lists[1].front().secretion_per_min += 1.0f;
  lists[2].push_back({lat.index(2, 2, 2), 4.0f, 0.0f});  // one more
  ImplicitLodSolver shared(lat);
  shared.step(first, 3.0);
  for (const auto& list : lists) {
    Field together(spec, lat), alone(spec, lat);
    for (Field* f : {&together, &alone}) {
      fill_random(*f, 73, 1.0f, 2.0f);
      f->point_terms() = list;
    }
    shared.step(together, 3.0);
    ImplicitLodSolver own(lat);
    own.step(alone, 3.0);
    EXPECT_EQ(std::memcmp(together.values().data(), alone.values().data(),
                          together.values().size() * sizeof(float)),
              0);
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

/// The solvers under test: the implicit one on smooth data (Douglas steps) and on rough
/// data (it takes positive fallback steps), and the explicit reference.
enum class Variant { Douglas, Fallback, Explicit };
constexpr std::array<Variant, 3> kVariants = {Variant::Douglas, Variant::Fallback,
                                              Variant::Explicit};

const char* variant_name(Variant v) {
  switch (v) {
    case Variant::Douglas:
      return "implicit (Douglas)";
    case Variant::Fallback:
      return "implicit (rough data)";
    case Variant::Explicit:
      return "explicit_ftcs";
  }
  return "?";
}

/// Smooth data: values in [lo, hi). Rough data: zero with a few spikes of `hi`.
void fill_for(Variant v, Field& f, std::uint64_t seed, float lo, float hi) {
  if (v != Variant::Fallback) {
    fill_random(f, seed, lo, hi);
    return;
  }
  std::fill(f.values().begin(), f.values().end(), 0.0f);
  const KeyedRng rng(seed, 4);
  for (std::uint64_t k = 0; k < 8; ++k) {
    f.values()[static_cast<std::size_t>(rng.uniform(0, k) * double(f.values().size()))] = hi;
  }
}

/// A solver for the variant; `implicit` points to it when it is the implicit one. On rough
/// data the implicit solver runs without its graded start, which would smooth the data
/// before the full-length steps.
std::unique_ptr<DiffusionSolver> solver_for(Variant v, const Lattice& lat,
                                            ImplicitLodSolver*& implicit) {
  implicit = nullptr;
  if (v == Variant::Explicit) return make_solver(SolverMethod::ExplicitFtcs, lat);
  auto s = std::make_unique<ImplicitLodSolver>(lat, v == Variant::Douglas);
  implicit = s.get();
  return s;
}

/// Checks that the fallback was (rough data) or was not (smooth data) exercised.
void expect_fallbacks(Variant v, const ImplicitLodSolver* implicit, const char* where) {
  if (implicit == nullptr) return;
  if (v == Variant::Fallback) {
    EXPECT_GT(implicit->positivity_fallbacks(), 0) << where;
  } else {
    EXPECT_EQ(implicit->positivity_fallbacks(), 0) << where;
  }
}

/// Runs 10 steps of a case with every kind of term and checks Δtotal == Σ balance.
void check_mass_balance(Variant v, int nz) {
  const Lattice lat(24, 19, nz, 10.0);
  FieldSpec spec = spec_with(200.0, 0.05);
  spec.faces[static_cast<std::size_t>(Face::XLow)] = {BoundaryKind::FixedValue, 12.0f};
  spec.fixed_value = 7.0;
  Field f(spec, lat);
  fill_for(v, f, 21, 4.0f, 10.0f);
  const auto mask = random_mask(lat, 22, 15);
  f.set_fixed_mask(mask.data());
  add_point_terms(f, lat, 23, 30);
  const double dt = v != Variant::Explicit
                        ? 2.0  // r = 4
                        : 0.9 * explicit_stability_limit_min(lat, spec.diffusion_um2_per_min);
  ImplicitLodSolver* implicit = nullptr;
  auto solver = solver_for(v, lat, implicit);
  double worst = 0.0;
  for (int s = 0; s < 10; ++s) {
    const double before = f.total();
    const FieldBalance b = solver->step(f, dt);
    const double change = f.total() - before;
    const double scale = before + b.secreted + b.decayed + b.taken_up + std::abs(b.boundary_in) +
                         std::abs(b.fixed_in);
    EXPECT_NEAR(change, b.net(), 1e-5 * scale)
        << variant_name(v) << " nz=" << nz << " step " << s << ": secreted " << b.secreted
        << " decayed " << b.decayed << " taken_up " << b.taken_up << " boundary_in "
        << b.boundary_in << " fixed_in " << b.fixed_in;
    worst = std::max(worst, std::abs(change - b.net()) / scale);
    EXPECT_GT(b.secreted, 0.0);
    EXPECT_GT(b.decayed, 0.0);
    EXPECT_GT(b.taken_up, 0.0);
    EXPECT_NE(b.boundary_in, 0.0);
    EXPECT_NE(b.fixed_in, 0.0);
    for (std::size_t i = 0; i < lat.size(); ++i) {
      ASSERT_GE(f.values()[i], 0.0f) << variant_name(v) << " voxel " << i;
      if (mask[i] != 0) {
        ASSERT_EQ(f.values()[i], 7.0f) << "fixed voxel " << i << " moved";
      }
    }
  }
  expect_fallbacks(v, implicit, variant_name(v));
  std::printf("mass balance %s nz=%d: max |dtotal - net| / scale = %.1e\n", variant_name(v), nz,
              worst);
}

TEST(Solvers, MassBalanceAndFixedVoxels2D) {
  for (const Variant v : kVariants) check_mass_balance(v, 1);
}

TEST(Solvers, MassBalanceAndFixedVoxels3D) {
  for (const Variant v : kVariants) check_mass_balance(v, 7);
}

// ---------------------------------------------------------------------------------------
struct ThreadRun {
  std::vector<float> values;
  FieldBalance balance;
  std::int64_t fallbacks = 0;
};

/// Runs a case with every term on `threads` threads.
ThreadRun run_with_threads(Variant v, int nx, int nz, int threads) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  // nx > 64 and ny*nz > 16 give several work units per sweep; > 4096 voxels give several
  // decay blocks (explicit solver); nx > 128 gives the Douglas step's 32-line x tiles.
  const Lattice lat(nx, 33, nz, 10.0);
  FieldSpec spec = spec_with(150.0, 0.03);
  spec.faces[static_cast<std::size_t>(Face::YLow)] = {BoundaryKind::FixedValue, 3.0f};
  spec.faces[static_cast<std::size_t>(Face::ZHigh)] = {BoundaryKind::FixedValue, 1.0f};
  spec.fixed_value = 9.0;
  Field f(spec, lat);
  fill_for(v, f, 31, 1.0f, 5.0f);
  const auto mask = random_mask(lat, 32, 40);
  f.set_fixed_mask(mask.data());
  add_point_terms(f, lat, 33, 50);
  const double dt = v != Variant::Explicit
                        ? 3.0
                        : 0.9 * explicit_stability_limit_min(lat, spec.diffusion_um2_per_min);
  ImplicitLodSolver* implicit = nullptr;
  auto solver = solver_for(v, lat, implicit);
  ThreadRun run;
  for (int s = 0; s < 5; ++s) run.balance += solver->step(f, dt);
  run.values = f.values();
  if (implicit != nullptr) run.fallbacks = implicit->positivity_fallbacks();
  expect_fallbacks(v, implicit, variant_name(v));
  omp_set_num_threads(saved);
  return run;
}

TEST(Solvers, BitIdenticalForOneAndTwoThreads) {
  for (const Variant v : kVariants) {
    for (const auto& [nx, nz] : {std::pair{70, 1}, std::pair{70, 9}, std::pair{150, 9}}) {
      const ThreadRun a = run_with_threads(v, nx, nz, 1);
      const ThreadRun b = run_with_threads(v, nx, nz, 2);
      ASSERT_EQ(a.values.size(), b.values.size());
      EXPECT_EQ(std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)), 0)
          << variant_name(v) << " nx=" << nx << " nz=" << nz;
      EXPECT_EQ(a.balance.secreted, b.balance.secreted);
      EXPECT_EQ(a.balance.decayed, b.balance.decayed);
      EXPECT_EQ(a.balance.taken_up, b.balance.taken_up);
      EXPECT_EQ(a.balance.boundary_in, b.balance.boundary_in);
      EXPECT_EQ(a.balance.fixed_in, b.balance.fixed_in);
      EXPECT_EQ(a.fallbacks, b.fallbacks);
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
      // The implicit solver computes its increments in float, so its rounding scales with
      // the largest increment (here the initial peak) rather than with each value.
      const float peak = *std::max_element(f.values().begin(), f.values().end());
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
              const float scale = method == SolverMethod::ImplicitLod ? peak : std::abs(v);
              worst = std::max(worst, std::abs(v - f.values()[m]) / scale);
            }
          }
        }
      }
      std::printf("symmetry %s nz=%d: max asymmetry / scale %.1e\n", method_name(method), nz,
                  static_cast<double>(worst));
      EXPECT_LT(worst, 1e-6f) << method_name(method) << " nz=" << nz;
    }
  }
}

TEST(ImplicitLod, ThreeDPathWithIdenticalPlanesMatchesTwoDPath) {
  // Two identical z-planes with no-flux z faces never exchange anything, so the 3D path
  // (x and y factors per plane, then z blocks with the commit) must give each plane what
  // the 2D path (x blocks, then y blocks with the commit) gives the single plane. The
  // sizes span several 64-line x blocks and 64-lane y and z blocks, with a partial last
  // block, fixed voxels, point terms and fixed-value x and y faces.
  const int nx = 130, ny = 150;
  const Lattice flat(nx, ny, 1, 20.0), deep(nx, ny, 2, 20.0);
  FieldSpec spec = spec_with(1.0e5, 0.1);
  spec.faces[static_cast<std::size_t>(Face::XLow)] = {BoundaryKind::FixedValue, 30.0f};
  spec.faces[static_cast<std::size_t>(Face::YHigh)] = {BoundaryKind::FixedValue, 5.0f};
  spec.fixed_value = 38.0;
  Field f2(spec, flat), f3(spec, deep);
  fill_random(f2, 7, 0.0f, 38.0f);
  const auto mask2 = random_mask(flat, 8, 200);
  std::vector<std::uint8_t> mask3(deep.size());
  const auto plane = static_cast<std::size_t>(nx) * ny;
  for (std::size_t i = 0; i < deep.size(); ++i) {
    f3.values()[i] = f2.values()[i % plane];
    mask3[i] = mask2[i % plane];
  }
  f2.set_fixed_mask(mask2.data());
  f3.set_fixed_mask(mask3.data());
  ImplicitLodSolver s2(flat), s3(deep);
  for (int step = 0; step < 3; ++step) {
    f2.point_terms().clear();
    add_point_terms(f2, flat, 9 + static_cast<std::uint64_t>(step), 400);
    f3.point_terms() = f2.point_terms();
    for (const PointTerm& t : f2.point_terms()) {
      f3.point_terms().push_back(
          {static_cast<VoxelIndex>(t.voxel + plane), t.secretion_per_min, t.uptake_per_min});
    }
    const FieldBalance b2 = s2.step(f2, 1.0);  // r = 250, with a graded start
    const FieldBalance b3 = s3.step(f3, 1.0);
    const double flows =
        std::abs(b3.boundary_in) + std::abs(b3.fixed_in) + b3.secreted + b3.decayed + b3.taken_up;
    EXPECT_NEAR(b3.net(), 2.0 * b2.net(), 1e-6 * flows);  // float rounding of the flows
  }
  double worst = 0.0;
  for (std::size_t i = 0; i < deep.size(); ++i) {
    const double a = f2.values()[i % plane], b = f3.values()[i];
    worst = std::max(worst, std::abs(a - b) / std::max(1.0, std::abs(a)));
  }
  std::printf("3D path with identical planes vs 2D path: max relative difference %.1e\n", worst);
  EXPECT_LT(worst, 1e-5);
  EXPECT_EQ(s2.positivity_fallbacks(), s3.positivity_fallbacks());
}

}  // namespace
}  // namespace regensim::sim
