#include "sim/solver/multigrid.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "sim/solver/steady_rows.hpp"

namespace regensim::sim::detail {

namespace {

/// Damped-Jacobi weight: smooths the upper half of the 7-point spectrum by a factor of at
/// least 0.6 per sweep (below 2/λ_max = 1, stable).
constexpr float kOmega = 0.8f;
constexpr float kKeep = 1.0f - kOmega;

/// Adds the pairs of a fine row's values into the coarse row: coarse[X] += f[2X] + f[2X+1].
void add_pairs(const float* fine, int fine_n, float* coarse) {
  const int pairs = fine_n / 2;
  for (int x = 0; x < pairs; ++x) coarse[x] += fine[2 * x] + fine[2 * x + 1];
  if (fine_n % 2 != 0) coarse[pairs] += fine[fine_n - 1];
}

/// The lattice's couplings seen as a level: A_ij = -c between neighbouring unknowns.
struct LatticeCouplings {
  int nx, ny, nz;
  const float* diag;
  float c;
  float w(std::ptrdiff_t i, std::ptrdiff_t j) const {
    return diag[i] > 0.0f && diag[j] > 0.0f ? c : 0.0f;
  }
  float wx(std::ptrdiff_t i) const { return w(i, i + 1); }
  float wy(std::ptrdiff_t i) const { return w(i, i + nx); }
  float wz(std::ptrdiff_t i) const { return w(i, i + static_cast<std::ptrdiff_t>(nx) * ny); }
};

/// A coarse level's couplings, stored.
template <class Level>
struct StoredCouplings {
  explicit StoredCouplings(const Level& level)
      : nx(level.nx), ny(level.ny), nz(level.nz), lv(level) {}
  int nx, ny, nz;
  const Level& lv;
  float wx(std::ptrdiff_t i) const { return lv.wx[static_cast<std::size_t>(i)]; }
  float wy(std::ptrdiff_t i) const { return lv.wy[static_cast<std::size_t>(i)]; }
  float wz(std::ptrdiff_t i) const { return lv.wz[static_cast<std::size_t>(i)]; }
};

/// Levels below an nx x ny x nz lattice: halving until at most kCoarsest cells remain (at
/// least one level unless the lattice is a single voxel).
std::size_t coarse_level_count(std::size_t nx, std::size_t ny, std::size_t nz,
                               std::size_t coarsest) {
  std::size_t count = 0;
  while (nx * ny * nz > 1 && (count == 0 || nx * ny * nz > coarsest)) {
    nx = (nx + 1) / 2;
    ny = (ny + 1) / 2;
    nz = (nz + 1) / 2;
    ++count;
  }
  return count;
}

/// The offset in the next level of the row that holds the parent cells of row `row` of a
/// level with `ny` rows per plane.
template <class Level>
std::ptrdiff_t parent_row(std::ptrdiff_t row, int ny, const Level& next) {
  const auto y = static_cast<int>(row % ny);
  const auto z = static_cast<int>(row / ny);
  return (static_cast<std::ptrdiff_t>(z / 2) * next.ny + y / 2) * next.nx;
}

/// Restricts a level's residual to the next level, one coarse row at a time: each coarse
/// cell sums its fine cells' residuals in a fixed order. residual(row, out) writes fine row
/// `row`'s residual to out (scratch of the fine row's length, distinct per row).
template <class Level, class Residual>
void restrict_residual(int nx, int ny, int nz, float* scratch, Level& next, bool wide,
                       Residual&& residual) {
  const auto next_rows = static_cast<std::ptrdiff_t>(next.ny) * next.nz;
#pragma omp parallel for schedule(static) if (wide)
  for (std::ptrdiff_t crow = 0; crow < next_rows; ++crow) {
    float* out = next.r.data() + crow * next.nx;
    std::fill(out, out + next.nx, 0.0f);
    const auto cy = static_cast<int>(crow % next.ny);
    const auto cz = static_cast<int>(crow / next.ny);
    for (int z = 2 * cz; z < std::min(2 * cz + 2, nz); ++z) {
      for (int y = 2 * cy; y < std::min(2 * cy + 2, ny); ++y) {
        const std::ptrdiff_t row = static_cast<std::ptrdiff_t>(z) * ny + y;
        float* res = scratch + row * nx;
        residual(row, res);
        add_pairs(res, nx, out);
      }
    }
  }
}

/// Calls visit(fine cell index) for the fine cells of coarse cell (cx, cy, cz), z-y-x.
template <class Fine, class Visit>
void for_each_fine_cell(const Fine& f, int cx, int cy, int cz, Visit&& visit) {
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(f.nx) * f.ny;
  for (int z = 2 * cz; z < std::min(2 * cz + 2, f.nz); ++z) {
    for (int y = 2 * cy; y < std::min(2 * cy + 2, f.ny); ++y) {
      for (int x = 2 * cx; x < std::min(2 * cx + 2, f.nx); ++x)
        visit(z * plane + static_cast<std::ptrdiff_t>(y) * f.nx + x, x, y, z);
    }
  }
}

/// The couplings of the Galerkin operator of 2 x 2 x 2 aggregation, which depend only on
/// which cells carry unknowns: each coarse cell's couplings across its faces, and `inner`,
/// twice the couplings between its own fine cells (subtracted from its diagonal).
template <class Fine, class Level>
void galerkin_couplings(const Fine& f, Level& c) {
  c.nx = (f.nx + 1) / 2;
  c.ny = (f.ny + 1) / 2;
  c.nz = (f.nz + 1) / 2;
  const auto n = static_cast<std::size_t>(c.nx) * c.ny * c.nz;
  for (auto* v : {&c.d, &c.inv, &c.wx, &c.wy, &c.wz, &c.r, &c.z, &c.t}) v->resize(n);
  c.inner.resize(n);
  const auto rows = static_cast<std::ptrdiff_t>(c.ny) * c.nz;
#pragma omp parallel for schedule(static) if (rows > 64)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const auto cy = static_cast<int>(row % c.ny);
    const auto cz = static_cast<int>(row / c.ny);
    for (int cx = 0; cx < c.nx; ++cx) {
      double inner = 0.0, wx = 0.0, wy = 0.0, wz = 0.0;
      // A coupling to the next fine cell inside this coarse cell counts twice (A_ij and
      // A_ji); one to the next coarse cell is part of the coarse coupling.
      const auto split = [&](bool inside, float w, double& across) {
        if (inside) {
          inner += 2.0 * w;
        } else {
          across += w;
        }
      };
      for_each_fine_cell(f, cx, cy, cz, [&](std::ptrdiff_t i, int x, int y, int z) {
        if (x + 1 < f.nx) split(x == 2 * cx, f.wx(i), wx);
        if (y + 1 < f.ny) split(y == 2 * cy, f.wy(i), wy);
        if (z + 1 < f.nz) split(z == 2 * cz, f.wz(i), wz);
      });
      const auto k = static_cast<std::size_t>(row * c.nx + cx);
      c.inner[k] = inner;
      c.wx[k] = static_cast<float>(wx);
      c.wy[k] = static_cast<float>(wy);
      c.wz[k] = static_cast<float>(wz);
    }
  }
}

/// One coarse row's diagonal from the (up to) four fine rows of its cells: the eight fine
/// diagonals summed in double in a fixed order, less `inner`.
REGENSIM_ISA_CLONES void diagonal_row(const float* __restrict f00, const float* __restrict f10,
                                      const float* __restrict f01, const float* __restrict f11,
                                      int fine_n, const double* __restrict inner,
                                      float* __restrict d, float* __restrict inv) {
  const auto put = [&](int x, double sum) {
    sum -= inner[x];
    d[x] = static_cast<float>(sum);
    inv[x] = sum > 0.0 ? static_cast<float>(1.0 / sum) : 0.0f;
  };
  const auto wide = [](const float* row, int i) { return static_cast<double>(row[i]); };
  const int pairs = fine_n / 2;
  for (int x = 0; x < pairs; ++x) {
    const int i = 2 * x;
    put(x, ((wide(f00, i) + wide(f00, i + 1)) + (wide(f10, i) + wide(f10, i + 1))) +
               ((wide(f01, i) + wide(f01, i + 1)) + (wide(f11, i) + wide(f11, i + 1))));
  }
  if (fine_n % 2 != 0) {
    const int i = fine_n - 1;
    put(pairs, (wide(f00, i) + wide(f10, i)) + (wide(f01, i) + wide(f11, i)));
  }
}

/// The diagonal of the Galerkin operator: the sum of the fine diagonals `fine_d` (0 where
/// a cell has no unknown) less `inner`.
template <class Level>
void galerkin_diagonal(const float* fine_d, int fnx, int fny, int fnz, Level& c,
                       const float* zeros) {
  const auto rows = static_cast<std::ptrdiff_t>(c.ny) * c.nz;
  const std::ptrdiff_t fine_plane = static_cast<std::ptrdiff_t>(fnx) * fny;
#pragma omp parallel for schedule(static) if (rows > 64)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const auto cy = static_cast<int>(row % c.ny);
    const auto cz = static_cast<int>(row / c.ny);
    const auto fine_row = [&](int y, int z) {
      return y < fny && z < fnz ? fine_d + z * fine_plane + static_cast<std::ptrdiff_t>(y) * fnx
                                : zeros;
    };
    const std::size_t k = static_cast<std::size_t>(row) * static_cast<std::size_t>(c.nx);
    diagonal_row(fine_row(2 * cy, 2 * cz), fine_row(2 * cy + 1, 2 * cz),
                 fine_row(2 * cy, 2 * cz + 1), fine_row(2 * cy + 1, 2 * cz + 1), fnx,
                 c.inner.data() + k, c.d.data() + k, c.inv.data() + k);
  }
}

/// One row of a coarse level and its neighbour rows (`zeros` where the level ends).
struct LevelRow {
  const float *d, *inv, *wx, *wy, *wym, *wz, *wzm;
  const float *v, *vym, *vyp, *vzm, *vzp;
};

template <class Level>
LevelRow level_row(const Level& lv, const float* v, std::ptrdiff_t row, const float* zeros) {
  const int nx = lv.nx;
  const auto y = static_cast<int>(row % lv.ny);
  const auto z = static_cast<int>(row / lv.ny);
  const std::ptrdiff_t base = row * nx;
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(nx) * lv.ny;
  const float* wy = lv.wy.data() + base;
  const float* wz = lv.wz.data() + base;
  const float* vc = v + base;
  return {lv.d.data() + base,         lv.inv.data() + base,
          lv.wx.data() + base,        wy,
          y > 0 ? wy - nx : zeros,    wz,
          z > 0 ? wz - plane : zeros, vc,
          y > 0 ? vc - nx : zeros,    y < lv.ny - 1 ? vc + nx : zeros,
          z > 0 ? vc - plane : zeros, z < lv.nz - 1 ? vc + plane : zeros};
}

/// out = A v along a coarse row of n cells (w is 0 toward missing neighbours).
REGENSIM_KERNEL void level_apply(const LevelRow& a, int n, float* __restrict out) {
  const auto across = [&](int x) {
    return (a.wy[x] * a.vyp[x] + a.wym[x] * a.vym[x]) + (a.wz[x] * a.vzp[x] + a.wzm[x] * a.vzm[x]);
  };
  if (n == 1) {
    out[0] = a.d[0] * a.v[0] - across(0);
    return;
  }
  out[0] = a.d[0] * a.v[0] - (across(0) + a.wx[0] * a.v[1]);
  for (int x = 1; x < n - 1; ++x)
    out[x] = a.d[x] * a.v[x] - (across(x) + (a.wx[x - 1] * a.v[x - 1] + a.wx[x] * a.v[x + 1]));
  out[n - 1] = a.d[n - 1] * a.v[n - 1] - (across(n - 1) + a.wx[n - 2] * a.v[n - 2]);
}

/// A damped-Jacobi sweep along a coarse row: out = v + w inv (r - A v), written as
/// (1 - w) v + w inv (r + Σ w_j v_j) (no diagonal to read). With `kFromZero` the rows of
/// `a` hold r and those of `inv_rows` inv: v is the first sweep's w inv r, formed here.
template <bool kFromZero>
REGENSIM_KERNEL void level_sweep_kernel(const LevelRow& a, const LevelRow& inv_rows, const float* r,
                                        int n, float* __restrict out) {
  const auto at = [&](const float* v, const float* inv, int x) {
    if constexpr (kFromZero) {
      return (kOmega * inv[x]) * v[x];
    } else {
      (void)inv;
      return v[x];
    }
  };
  const auto value = [&](int x) { return at(a.v, inv_rows.v, x); };
  const auto across = [&](int x) {
    return (a.wy[x] * at(a.vyp, inv_rows.vyp, x) + a.wym[x] * at(a.vym, inv_rows.vym, x)) +
           (a.wz[x] * at(a.vzp, inv_rows.vzp, x) + a.wzm[x] * at(a.vzm, inv_rows.vzm, x));
  };
  const auto put = [&](int x, float sides) {
    out[x] = kKeep * value(x) + (kOmega * a.inv[x]) * (r[x] + (across(x) + sides));
  };
  if (n == 1) {
    put(0, 0.0f);
    return;
  }
  put(0, a.wx[0] * value(1));
  for (int x = 1; x < n - 1; ++x) put(x, a.wx[x - 1] * value(x - 1) + a.wx[x] * value(x + 1));
  put(n - 1, a.wx[n - 2] * value(n - 2));
}

REGENSIM_ISA_CLONES void level_sweep_row(LevelRow a, const float* r, int n, float* __restrict out) {
  level_sweep_kernel<false>(a, a, r, n, out);
}

/// The first sweep from zero: out = sweep(w inv r); `a` is laid over r, `inv_rows` over inv.
REGENSIM_ISA_CLONES void level_first_sweep_row(LevelRow a, LevelRow inv_rows, const float* r, int n,
                                               float* __restrict out) {
  level_sweep_kernel<true>(a, inv_rows, r, n, out);
}

/// The residual r - A v along a coarse row, 0 at cells without an unknown.
REGENSIM_ISA_CLONES void level_residual_row(LevelRow a, const float* r, int n, float* out) {
  level_apply(a, n, out);
  for (int x = 0; x < n; ++x) out[x] = a.inv[x] > 0.0f ? r[x] - out[x] : 0.0f;
}

/// The damped-Jacobi sweep after the coarse correction along a lattice row, which also
/// returns Σ r·out over the row: out = v + w inv (r - A v), written as
/// (1 - w) v + w inv (r + c Σ neighbours) (no diagonal to read).
REGENSIM_ISA_CLONES double sweep_dot_row(const float* v, RowNeighbours nb, const float* inv,
                                         const float* r, float c, int n, float* __restrict out) {
  const auto across = [&](int x) { return (nb.ym[x] + nb.yp[x]) + (nb.zm[x] + nb.zp[x]); };
  const auto put = [&](int x, float sides) {
    out[x] = kKeep * v[x] + (kOmega * inv[x]) * (r[x] + c * (sides + across(x)));
  };
  if (n == 1) {
    put(0, 0.0f);
  } else {
    put(0, v[1]);
    for (int x = 1; x < n - 1; ++x) put(x, v[x - 1] + v[x + 1]);
    put(n - 1, v[n - 2]);
  }
  return dot_row<false>(r, out, nullptr, n);
}

/// The residual r - A v along a lattice row after the one sweep from zero, v = w inv r
/// (formed here from the rows of r and inv); 0 at fixed voxels (inv = 0). As A v =
/// diag v - c Σ v_j and diag inv = 1 at the unknowns: r - A v = (1 - w) r + c Σ w inv_j r_j.
REGENSIM_ISA_CLONES void first_residual_row(RowNeighbours inv_nb, const float* inv,
                                            RowNeighbours r_nb, const float* r, float c, int n,
                                            float* __restrict out) {
  const float w = kOmega;
  const auto v = [&](const float* ir, const float* rr, int x) { return (w * ir[x]) * rr[x]; };
  const auto across = [&](int x) {
    return (v(inv_nb.ym, r_nb.ym, x) + v(inv_nb.yp, r_nb.yp, x)) +
           (v(inv_nb.zm, r_nb.zm, x) + v(inv_nb.zp, r_nb.zp, x));
  };
  const auto put = [&](int x, float sides) {
    out[x] = inv[x] > 0.0f ? kKeep * r[x] + c * (sides + across(x)) : 0.0f;
  };
  if (n == 1) {
    put(0, 0.0f);
    return;
  }
  put(0, v(inv, r, 1));
  for (int x = 1; x < n - 1; ++x) put(x, v(inv, r, x - 1) + v(inv, r, x + 1));
  put(n - 1, v(inv, r, n - 2));
}

/// out = w inv r + the coarse correction of each fine cell that carries an unknown: the
/// first sweep's iterate, corrected.
REGENSIM_ISA_CLONES void first_plus_correction(const float* __restrict coarse,
                                               const float* __restrict inv,
                                               const float* __restrict r, int fine_n,
                                               float* __restrict out) {
  const auto v = [&](int x, float e) {
    return (kOmega * inv[x]) * r[x] + (inv[x] > 0.0f ? e : 0.0f);
  };
  const int pairs = fine_n / 2;
  for (int x = 0; x < pairs; ++x) {
    out[2 * x] = v(2 * x, coarse[x]);
    out[2 * x + 1] = v(2 * x + 1, coarse[x]);
  }
  if (fine_n % 2 != 0) out[fine_n - 1] = v(fine_n - 1, coarse[pairs]);
}

/// Adds each coarse cell's correction to its fine cells that carry an unknown.
REGENSIM_ISA_CLONES void add_correction(const float* __restrict coarse, const float* __restrict inv,
                                        int fine_n, float* __restrict fine) {
  const int pairs = fine_n / 2;
  for (int x = 0; x < pairs; ++x) {
    const float e = coarse[x];
    fine[2 * x] += inv[2 * x] > 0.0f ? e : 0.0f;
    fine[2 * x + 1] += inv[2 * x + 1] > 0.0f ? e : 0.0f;
  }
  if (fine_n % 2 != 0) fine[fine_n - 1] += inv[fine_n - 1] > 0.0f ? coarse[pairs] : 0.0f;
}

}  // namespace

void AggregationMultigrid::setup(const Lattice& lattice, const float* diag, const float* inv_diag,
                                 float c) {
  lattice_ = &lattice;
  inv_ = inv_diag;
  c_ = c;
  const std::size_t n = lattice.size();
  const auto rows = static_cast<std::size_t>(lattice.ny()) * lattice.nz();
  if (b_.size() != n || row_sums_.size() != rows) {
    b_.assign(n, 0.0f);
    row_sums_.assign(rows, 0.0);
    zeros_.assign(static_cast<std::size_t>(lattice.nx()), 0.0f);
  }
  const std::size_t count = coarse_level_count(
      static_cast<std::size_t>(lattice.nx()), static_cast<std::size_t>(lattice.ny()),
      static_cast<std::size_t>(lattice.nz()), kCoarsestCells);
  if (count == 0) {
    levels_.clear();
    return;
  }
  // Which voxels carry an unknown, against the last setup's: the coarse couplings depend on
  // nothing else (and c), so they are kept while it is the same.
  const std::array<int, 3> dims = {lattice.nx(), lattice.ny(), lattice.nz()};
  bool same = levels_.size() == count && coupling_c_ == c && coupling_dims_ == dims &&
              unknowns_.size() == n;
  if (unknowns_.size() != n) unknowns_.assign(n, 0);
  bool changed = false;
  const auto voxels = static_cast<std::ptrdiff_t>(n);
#pragma omp parallel for schedule(static) reduction(|| : changed)
  for (std::ptrdiff_t i = 0; i < voxels; ++i) {
    const std::uint8_t unknown = diag[i] > 0.0f ? 1 : 0;
    changed = changed || unknown != unknowns_[static_cast<std::size_t>(i)];
    unknowns_[static_cast<std::size_t>(i)] = unknown;
  }
  const LatticeCouplings fine{lattice.nx(), lattice.ny(), lattice.nz(), diag, c};
  if (!same || changed) {
    levels_.resize(count);
    galerkin_couplings(fine, levels_[0]);
    for (std::size_t l = 1; l < count; ++l)
      galerkin_couplings(StoredCouplings<Level>(levels_[l - 1]), levels_[l]);
    coupling_c_ = c;
    coupling_dims_ = dims;
  }
  galerkin_diagonal(diag, lattice.nx(), lattice.ny(), lattice.nz(), levels_[0], zeros_.data());
  for (std::size_t l = 1; l < count; ++l) {
    const Level& f = levels_[l - 1];
    galerkin_diagonal(f.d.data(), f.nx, f.ny, f.nz, levels_[l], zeros_.data());
  }
  factor_coarsest();
}

void AggregationMultigrid::factor_coarsest() {
  const Level& lv = levels_.back();
  coarse_index_.assign(lv.size(), -1);
  int m = 0;
  for (std::size_t i = 0; i < lv.size(); ++i) {
    if (lv.d[i] > 0.0f) coarse_index_[i] = m++;
  }
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(m, m);
  const std::size_t sx = 1, sy = static_cast<std::size_t>(lv.nx), sz = sy * lv.ny;
  const auto couple = [&](int i, std::size_t j, float w) {
    if (j < lv.size() && coarse_index_[j] >= 0 && w != 0.0f) {
      a(i, coarse_index_[j]) = -w;
      a(coarse_index_[j], i) = -w;
    }
  };
  for (std::size_t k = 0; k < lv.size(); ++k) {
    const int i = coarse_index_[k];
    if (i < 0) continue;
    a(i, i) = lv.d[k];
    // w is 0 at the last column, row and plane, so j never wraps to a wrong neighbour.
    couple(i, k + sx, lv.wx[k]);
    couple(i, k + sy, lv.wy[k]);
    couple(i, k + sz, lv.wz[k]);
  }
  coarse_llt_.compute(a);
  if (coarse_llt_.info() != Eigen::Success)
    throw std::runtime_error("multigrid: the coarsest operator is not positive definite");
  coarse_rhs_.resize(m);
}

void AggregationMultigrid::solve_coarsest(Level& lv) {
  for (std::size_t k = 0; k < lv.size(); ++k) {
    if (coarse_index_[k] >= 0) coarse_rhs_(coarse_index_[k]) = lv.r[k];
  }
  const Eigen::VectorXd x = coarse_llt_.solve(coarse_rhs_);
  for (std::size_t k = 0; k < lv.size(); ++k)
    lv.z[k] = coarse_index_[k] >= 0 ? static_cast<float>(x(coarse_index_[k])) : 0.0f;
}

void AggregationMultigrid::cycle(std::size_t l) {
  Level& lv = levels_[l];
  if (l + 1 == levels_.size()) {
    solve_coarsest(lv);
    return;
  }
  Level& next = levels_[l + 1];
  const auto rows = static_cast<std::ptrdiff_t>(lv.ny) * lv.nz;
  const float* zeros = zeros_.data();  // as long as the lattice's rows, so any level's
  const bool wide = rows > 64;
  const auto sweep = [&](const float* v, float* out) {
#pragma omp parallel for schedule(static) if (wide)
    for (std::ptrdiff_t row = 0; row < rows; ++row) {
      const std::ptrdiff_t base = row * lv.nx;
      level_sweep_row(level_row(lv, v, row, zeros), lv.r.data() + base, lv.nx, out + base);
    }
  };
#pragma omp parallel for schedule(static) if (wide)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const std::ptrdiff_t base = row * lv.nx;
    level_first_sweep_row(level_row(lv, lv.r.data(), row, zeros),
                          level_row(lv, lv.inv.data(), row, zeros), lv.r.data() + base, lv.nx,
                          lv.z.data() + base);
  }
  restrict_residual(lv.nx, lv.ny, lv.nz, lv.t.data(), next, wide,
                    [&](std::ptrdiff_t row, float* res) {
                      level_residual_row(level_row(lv, lv.z.data(), row, zeros),
                                         lv.r.data() + row * lv.nx, lv.nx, res);
                    });
  cycle(l + 1);
#pragma omp parallel for schedule(static) if (wide)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const std::ptrdiff_t base = row * lv.nx;
    add_correction(next.z.data() + parent_row(row, lv.ny, next), lv.inv.data() + base, lv.nx,
                   lv.z.data() + base);
  }
  sweep(lv.z.data(), lv.t.data());
  sweep(lv.t.data(), lv.z.data());
}

double AggregationMultigrid::apply(const float* r, float* z) {
  const Lattice& lat = *lattice_;
  const int nx = lat.nx(), ny = lat.ny(), nz = lat.nz();
  const auto rows = static_cast<std::ptrdiff_t>(row_sums_.size());
  const float* zeros = zeros_.data();
  float* b = b_.data();
  const float* inv = inv_;
  if (levels_.empty()) {  // a single voxel: M = A^-1
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t row = 0; row < rows; ++row) {
      const std::ptrdiff_t base = row * nx;
      for (int x = 0; x < nx; ++x) z[base + x] = inv[base + x] * r[base + x];
      row_sums_[static_cast<std::size_t>(row)] = dot_row<false>(r + base, z + base, nullptr, nx);
    }
    return sum_in_order(row_sums_);
  }
  // On the lattice one sweep before and one after the coarse correction (two on the
  // coarse levels): three passes over the lattice's arrays. The sweep from zero is
  // v = w inv r; the restriction forms its residual directly (into b, as scratch).
  Level& next = levels_[0];
  restrict_residual(nx, ny, nz, b, next, true, [&](std::ptrdiff_t row, float* res) {
    const std::ptrdiff_t base = row * nx;
    first_residual_row(neighbours(lat, inv, row, zeros), inv + base, neighbours(lat, r, row, zeros),
                       r + base, c_, nx, res);
  });
  cycle(0);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const std::ptrdiff_t base = row * nx;
    first_plus_correction(next.z.data() + parent_row(row, ny, next), inv + base, r + base, nx,
                          b + base);
  }
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t row = 0; row < rows; ++row) {
    const std::ptrdiff_t base = row * nx;
    row_sums_[static_cast<std::size_t>(row)] = sweep_dot_row(
        b + base, neighbours(lat, b, row, zeros), inv + base, r + base, c_, nx, z + base);
  }
  return sum_in_order(row_sums_);
}

}  // namespace regensim::sim::detail
