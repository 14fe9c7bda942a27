// Unit tests of the aggregation multigrid preconditioner (sim/solver/multigrid.hpp):
// against a sparse double implementation of the same V-cycle (Galerkin operators P^T A P
// formed by matrix products, not by the stencil sums), symmetry and positivity (what
// conjugate gradients need), and the iterations it saves on a vessel lattice.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <Eigen/Sparse>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "sim/core/rng.hpp"
#include "sim/solver/implicit_lod.hpp"
#include "sim/solver/multigrid.hpp"
#include "tests/dense_diffusion_reference.hpp"
#include "tests/solver_test_support.hpp"

namespace regensim::sim {
namespace {

using detail::AggregationMultigrid;

/// A quasi-steady operator's diagonal (k + uptake + c per inside neighbour, 0 at fixed
/// voxels) and its inverse, as steady_state.cpp forms them (no fixed-value faces).
struct Operator {
  std::vector<float> diag, inv;
  float c;
};

Operator make_operator(const Lattice& lat, const std::vector<std::uint8_t>& mask, float c,
                       float k) {
  Operator op{std::vector<float>(lat.size(), 0.0f), std::vector<float>(lat.size(), 0.0f), c};
  const KeyedRng rng(9, 4);
  for (VoxelIndex i = 0; i < lat.size(); ++i) {
    if (mask[i] != 0) continue;
    std::array<VoxelIndex, 6> nb{};
    const int inside = lat.von_neumann(i, nb);
    const double uptake = rng.uniform(0, i) < 0.1 ? 10.0 : 0.0;
    op.diag[i] = static_cast<float>(k + uptake + static_cast<double>(c) * inside);
    op.inv[i] = 1.0f / op.diag[i];
  }
  return op;
}

/// The V-cycle of multigrid.hpp, written with sparse double matrices: aggregation
/// matrices P (fine cell -> its 2 x 2 x 2 block, unknowns only), A_coarse = P^T A P, and a
/// dense Cholesky solve on the coarsest level.
class ReferenceVCycle {
 public:
  using Sparse = Eigen::SparseMatrix<double>;

  ReferenceVCycle(const Lattice& lat, const Operator& op) {
    const auto n = static_cast<Eigen::Index>(lat.size());
    std::vector<Eigen::Triplet<double>> entries;
    for (VoxelIndex i = 0; i < lat.size(); ++i) {
      if (op.diag[i] == 0.0f) continue;
      const auto row = static_cast<Eigen::Index>(i);
      entries.emplace_back(row, row, op.diag[i]);
      std::array<VoxelIndex, 6> nb{};
      const int count = lat.von_neumann(i, nb);
      for (int k = 0; k < count; ++k) {
        const VoxelIndex j = nb[static_cast<std::size_t>(k)];
        if (op.diag[j] != 0.0f)
          entries.emplace_back(row, static_cast<Eigen::Index>(j), -static_cast<double>(op.c));
      }
    }
    Sparse a(n, n);
    a.setFromTriplets(entries.begin(), entries.end());
    int nx = lat.nx(), ny = lat.ny(), nz = lat.nz();
    for (;;) {
      ops_.push_back(a);
      const auto size = static_cast<std::size_t>(nx) * ny * nz;
      if (size <= AggregationMultigrid::kCoarsestCells && ops_.size() > 1) break;
      const int cx = (nx + 1) / 2, cy = (ny + 1) / 2, cz = (nz + 1) / 2;
      std::vector<Eigen::Triplet<double>> ones;
      for (int z = 0; z < nz; ++z) {
        for (int y = 0; y < ny; ++y) {
          for (int x = 0; x < nx; ++x) {
            const Eigen::Index i = (static_cast<Eigen::Index>(z) * ny + y) * nx + x;
            if (a.coeff(i, i) > 0.0)
              ones.emplace_back(i, (static_cast<Eigen::Index>(z / 2) * cy + y / 2) * cx + x / 2,
                                1.0);
          }
        }
      }
      Sparse p(a.rows(), static_cast<Eigen::Index>(cx) * cy * cz);
      p.setFromTriplets(ones.begin(), ones.end());
      a = Sparse(p.transpose() * a * p);
      prolong_.push_back(p);
      nx = cx;
      ny = cy;
      nz = cz;
    }
  }

  Eigen::VectorXd apply(const Eigen::VectorXd& r) const { return cycle(0, r); }
  std::size_t levels() const { return ops_.size(); }

 private:
  Eigen::VectorXd cycle(std::size_t l, const Eigen::VectorXd& r) const {
    const Sparse& a = ops_[l];
    const Eigen::VectorXd d = a.diagonal();
    Eigen::VectorXd dinv = Eigen::VectorXd::Zero(d.size());
    for (Eigen::Index i = 0; i < d.size(); ++i) dinv(i) = d(i) > 0.0 ? 1.0 / d(i) : 0.0;
    if (l + 1 == ops_.size()) {
      // Direct solve over the cells that carry an unknown.
      const Eigen::MatrixXd dense(a);
      std::vector<Eigen::Index> live;
      for (Eigen::Index i = 0; i < d.size(); ++i)
        if (d(i) > 0.0) live.push_back(i);
      const auto m = static_cast<Eigen::Index>(live.size());
      Eigen::MatrixXd sub(m, m);
      Eigen::VectorXd rhs(m);
      for (Eigen::Index i = 0; i < m; ++i) {
        rhs(i) = r(live[static_cast<std::size_t>(i)]);
        for (Eigen::Index j = 0; j < m; ++j)
          sub(i, j) = dense(live[static_cast<std::size_t>(i)], live[static_cast<std::size_t>(j)]);
      }
      const Eigen::VectorXd x = sub.llt().solve(rhs);
      Eigen::VectorXd z = Eigen::VectorXd::Zero(d.size());
      for (Eigen::Index i = 0; i < m; ++i) z(live[static_cast<std::size_t>(i)]) = x(i);
      return z;
    }
    const double w = 0.8;
    const auto sweep = [&](const Eigen::VectorXd& v) {
      return Eigen::VectorXd(v + w * dinv.cwiseProduct(r - a * v));
    };
    // One sweep before and after on the lattice, two on the coarse levels.
    const int sweeps = l == 0 ? 1 : 2;
    Eigen::VectorXd z = Eigen::VectorXd::Zero(d.size());
    for (int k = 0; k < sweeps; ++k) z = sweep(z);
    const Sparse& p = prolong_[l];
    z += p * cycle(l + 1, p.transpose() * (r - a * z));
    for (int k = 0; k < sweeps; ++k) z = sweep(z);
    return z;
  }

  std::vector<Sparse> ops_, prolong_;
};

std::vector<float> random_residual(const Operator& op, std::uint64_t seed) {
  const KeyedRng rng(seed, 5);
  std::vector<float> r(op.diag.size(), 0.0f);
  for (std::size_t i = 0; i < r.size(); ++i)
    r[i] = op.diag[i] > 0.0f ? static_cast<float>(rng.uniform(0, i) - 0.5) : 0.0f;
  return r;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

TEST(Multigrid, MatchesAReferenceVCycle) {
  // Two to four levels; odd sizes (blocks of 1 at the edges), 2D lattices, a single line,
  // coarse levels one and two cells wide; keyed fixed voxels (some blocks with no unknown).
  for (const auto& [nx, ny, nz] :
       {std::array{4, 4, 4}, std::array{9, 7, 5}, std::array{13, 11, 1}, std::array{23, 1, 1},
        std::array{17, 12, 9}, std::array{70, 61, 1}, std::array{33, 20, 9}, std::array{1, 40, 40},
        std::array{3, 40, 40}}) {
    const Lattice lat(nx, ny, nz, 10.0);
    std::vector<std::uint8_t> mask = random_mask(lat, 3, static_cast<int>(lat.size() / 6));
    const Operator op = make_operator(lat, mask, 250.0f, 0.1f);
    AggregationMultigrid mg;
    mg.setup(lat, op.diag.data(), op.inv.data(), op.c);
    const ReferenceVCycle reference(lat, op);
    ASSERT_EQ(static_cast<std::size_t>(mg.coarse_levels()) + 1, reference.levels());
    const std::vector<float> r = random_residual(op, 1);
    std::vector<float> z(lat.size());
    const double rz = mg.apply(r.data(), z.data());
    Eigen::VectorXd rd(static_cast<Eigen::Index>(lat.size()));
    for (std::size_t i = 0; i < r.size(); ++i) rd(static_cast<Eigen::Index>(i)) = r[i];
    const Eigen::VectorXd ref = reference.apply(rd);
    double worst = 0.0;
    for (std::size_t i = 0; i < z.size(); ++i) {
      if (mask[i] != 0) {
        EXPECT_EQ(z[i], 0.0f) << "fixed voxels carry no correction";
      }
      worst = std::max(worst, std::abs(z[i] - ref(static_cast<Eigen::Index>(i))));
    }
    const double rel = worst / ref.cwiseAbs().maxCoeff();
    std::printf("%dx%dx%d, %d coarse levels: max |z - z_ref| / max |z| = %.1e\n", nx, ny, nz,
                mg.coarse_levels(), rel);
    EXPECT_LT(rel, 1e-5);
    EXPECT_NEAR(rz, rd.dot(ref), 1e-5 * std::abs(rz)) << "the returned r.z";
  }
}

TEST(Multigrid, DegenerateLatticesAndMasks) {
  // One voxel (no coarse level: M = A^-1), two voxels, every voxel but one fixed (coarse
  // levels with a single unknown), every voxel fixed (no unknown anywhere).
  struct Case {
    int nx, ny, nz;
    int free_voxels;  // -1: all
  };
  for (const Case k : {Case{1, 1, 1, -1}, Case{2, 1, 1, -1}, Case{9, 7, 5, 1}, Case{6, 5, 4, 0}}) {
    const Lattice lat(k.nx, k.ny, k.nz, 10.0);
    std::vector<std::uint8_t> mask(lat.size(), k.free_voxels < 0 ? 0 : 1);
    if (k.free_voxels == 1) mask[lat.size() / 2] = 0;
    const Operator op = make_operator(lat, mask, 250.0f, 0.1f);
    AggregationMultigrid mg;
    mg.setup(lat, op.diag.data(), op.inv.data(), op.c);
    const ReferenceVCycle reference(lat, op);
    const std::vector<float> r = random_residual(op, 3);
    std::vector<float> z(lat.size(), 1.0f);
    const double rz = mg.apply(r.data(), z.data());
    Eigen::VectorXd rd(static_cast<Eigen::Index>(lat.size()));
    for (std::size_t i = 0; i < r.size(); ++i) rd(static_cast<Eigen::Index>(i)) = r[i];
    const Eigen::VectorXd ref =
        lat.size() == 1 ? Eigen::VectorXd(rd / op.diag[0]) : reference.apply(rd);
    for (std::size_t i = 0; i < z.size(); ++i) {
      EXPECT_NEAR(z[i], ref(static_cast<Eigen::Index>(i)),
                  1e-6 * std::max(1.0, ref.cwiseAbs().maxCoeff()))
          << k.nx << "x" << k.ny << "x" << k.nz << " voxel " << i;
      if (mask[i] != 0) {
        EXPECT_EQ(z[i], 0.0f);
      }
    }
    EXPECT_GE(rz, 0.0);
  }
}

TEST(Multigrid, IgnoresTheResidualAtFixedVoxels) {
  // Conjugate gradients hand over residuals that are not 0 at fixed voxels (their rows of
  // A p are not); the preconditioner must not see them.
  const Lattice lat(19, 14, 8, 10.0);
  const std::vector<std::uint8_t> mask = random_mask(lat, 5, static_cast<int>(lat.size() / 8));
  const Operator op = make_operator(lat, mask, 250.0f, 0.1f);
  AggregationMultigrid mg;
  mg.setup(lat, op.diag.data(), op.inv.data(), op.c);
  const std::vector<float> clean = random_residual(op, 4);
  std::vector<float> junk = clean;
  for (std::size_t i = 0; i < junk.size(); ++i) {
    if (mask[i] != 0) junk[i] = 1e3f * static_cast<float>(i % 7 + 1);
  }
  std::vector<float> z_clean(lat.size()), z_junk(lat.size());
  const double a = mg.apply(clean.data(), z_clean.data());
  const double b = mg.apply(junk.data(), z_junk.data());
  EXPECT_EQ(std::memcmp(z_clean.data(), z_junk.data(), z_clean.size() * sizeof(float)), 0);
  EXPECT_EQ(a, b);
}

TEST(Multigrid, KeptCouplingsGiveTheSameLevelsAsAFreshSetup) {
  // Setups in a row on the same lattice: new uptake (the diagonal), then a changed mask.
  // Each must act exactly as a fresh setup of the same operator.
  const Lattice lat(27, 22, 11, 10.0);
  const std::vector<std::uint8_t> first_mask = random_mask(lat, 6, 300);
  std::vector<std::uint8_t> moved_mask = first_mask;
  moved_mask[lat.index(13, 11, 5)] = 1;
  moved_mask[lat.index(2, 3, 4)] = 0;
  const Operator first = make_operator(lat, first_mask, 250.0f, 0.1f);
  Operator uptake = first;
  for (std::size_t i = 0; i < uptake.diag.size(); i += 5) {
    if (uptake.diag[i] > 0.0f) {
      uptake.diag[i] += 7.0f;
      uptake.inv[i] = 1.0f / uptake.diag[i];
    }
  }
  const Operator moved = make_operator(lat, moved_mask, 250.0f, 0.1f);
  AggregationMultigrid reused;
  reused.setup(lat, first.diag.data(), first.inv.data(), first.c);
  for (const Operator* op : std::array<const Operator*, 2>{&uptake, &moved}) {
    reused.setup(lat, op->diag.data(), op->inv.data(), op->c);
    AggregationMultigrid fresh;
    fresh.setup(lat, op->diag.data(), op->inv.data(), op->c);
    const std::vector<float> r = random_residual(*op, 8);
    std::vector<float> z_reused(lat.size()), z_fresh(lat.size());
    reused.apply(r.data(), z_reused.data());
    fresh.apply(r.data(), z_fresh.data());
    EXPECT_EQ(std::memcmp(z_reused.data(), z_fresh.data(), z_fresh.size() * sizeof(float)), 0)
        << (op == &uptake ? "new uptake" : "moved mask");
  }
}

TEST(Multigrid, IsSymmetricAndPositive) {
  const Lattice lat(31, 26, 14, 10.0);
  std::vector<std::uint8_t> mask = random_mask(lat, 8, static_cast<int>(lat.size() / 20));
  const Operator op = make_operator(lat, mask, 250.0f, 0.1f);
  AggregationMultigrid mg;
  mg.setup(lat, op.diag.data(), op.inv.data(), op.c);
  ASSERT_GE(mg.coarse_levels(), 3);
  std::vector<float> z1(lat.size()), z2(lat.size());
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    const std::vector<float> r1 = random_residual(op, seed), r2 = random_residual(op, seed + 10);
    const double r1z1 = mg.apply(r1.data(), z1.data());
    mg.apply(r2.data(), z2.data());
    EXPECT_GT(r1z1, 0.0);
    const double a = dot(r2, z1), b = dot(r1, z2);
    EXPECT_NEAR(a, b, 1e-5 * std::sqrt(r1z1 * dot(r2, z2))) << "seed " << seed;
  }
}

TEST(Multigrid, CutsTheIterationsOnAVesselLattice) {
  // Oxygen-like: D/h^2 = 250/min, vessel columns every 8 voxels, a tenth of the voxels
  // consuming; the same solve with each preconditioner, from the same start.
  const Lattice lat(48, 48, 32, 20.0);
  std::vector<std::uint8_t> mask(lat.size(), 0);
  for (int z = 0; z < lat.nz(); ++z)
    for (int y = 4; y < lat.ny(); y += 8)
      for (int x = 4; x < lat.nx(); x += 8) mask[lat.index(x, y, z)] = 1;
  int iterations[2] = {};
  std::vector<float> values[2];
  for (const SteadyPreconditioner pc :
       {SteadyPreconditioner::Jacobi, SteadyPreconditioner::Multigrid}) {
    FieldSpec spec = spec_with(1e5, 0.1);
    spec.quasi_steady = true;
    spec.fixed_value = 38.0;
    spec.steady_preconditioner = pc;
    Field f(spec, lat);
    f.set_fixed_mask(mask.data());
    for (VoxelIndex i = 0; i < lat.size(); i += 10) {
      if (mask[i] == 0) f.point_terms().push_back({i, 0.0f, 10.0f});
    }
    ImplicitLodSolver solver(lat);
    solver.step(f, 30.0);
    const int k = pc == SteadyPreconditioner::Multigrid;
    iterations[k] = solver.last_steady_iterations();
    values[k] = f.values();
  }
  double worst = 0.0;
  for (std::size_t i = 0; i < lat.size(); ++i)
    worst = std::max(worst, static_cast<double>(std::abs(values[0][i] - values[1][i])));
  std::printf("Jacobi %d iterations, multigrid %d; max difference %.1e of 38\n", iterations[0],
              iterations[1], worst);
  EXPECT_LT(3 * iterations[1], iterations[0]);
  EXPECT_LT(worst, 38.0 * 1e-4) << "both within the tolerance of the same steady state";
}

}  // namespace
}  // namespace regensim::sim
