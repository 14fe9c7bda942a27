#include "sim/solver/implicit_lod.hpp"

#include <omp.h>

#include <algorithm>
#include <cassert>

namespace regensim::sim {

namespace {

// y and z sweeps solve kLanes neighbouring x-lines at once (contiguous in memory); the
// x sweep transposes kXBlock lines into a tile and solves them the same way. Both sizes
// fix the work units, so the per-unit balance sums do not depend on the thread count.
constexpr int kLanes = 64;
constexpr int kXBlock = 16;

/// One axis of one diffusion step. Row j of a line (fixed voxels aside) reads
///   -a_j x_{j-1} + (s_j + a_j + c_j) x_j - c_j x_{j+1} = u_j + add_j
/// with couplings a_j = r (0 for j = 0), c_j = r (0 for j = n-1), row excess s_j = 1 plus
/// 2r for an end row on a fixed-value face, and add_j = 2r*g there.
struct Sweep {
  double r = 0.0;     // dt*D/h^2
  float ufix = 0.0f;  // value held by fixed voxels
  bool low_fixed = false, high_fixed = false;
  double g_low = 0.0, g_high = 0.0;  // face values where fixed
  int n = 0;                         // line length

  double a(int j) const { return j > 0 ? r : 0.0; }
  double c(int j) const { return j < n - 1 ? r : 0.0; }
  double s(int j) const {
    return 1.0 + (j == 0 && low_fixed ? 2.0 * r : 0.0) + (j == n - 1 && high_fixed ? 2.0 * r : 0.0);
  }
  double add(int j) const {
    return (j == 0 && low_fixed ? 2.0 * r * g_low : 0.0) +
           (j == n - 1 && high_fixed ? 2.0 * r * g_high : 0.0);
  }
};

struct Inflow {
  double boundary = 0.0;
  double fixed = 0.0;
};

// The elimination is the Thomas algorithm written on the diagonal excess
// e_j = pivot_j - c_j = s_j + a_j * e_{j-1} / pivot_{j-1}, the form used by GTH-type
// solvers for M-matrices: it only adds, multiplies and divides non-negative numbers, so
// every pivot keeps full relative precision even when r is in the thousands (the textbook
// pivot b_j - a_j*c'_{j-1} cancels there).
// Factors and intermediate values are double; only the result is rounded to float. Every
// line of a sweep shares its factors, and neighbouring values of a smooth field round the
// same way, so float factors or float intermediates bias all lines alike: the total then
// drifted by up to 5e-7 of itself per step (measured; see docs/validation.md). With
// double inside, the drift is a random walk of about 1e-9 per step.

/// The factors shared by every line without a fixed voxel: q_j = 1/pivot_j and
/// w_j = c_j/pivot_j, so that y_j = (u_j + add_j + a_j y_{j-1}) q_j, x_j = y_j + w_j x_{j+1}.
void factorise(const Sweep& p, double* q, double* w) {
  double g = 0.0;  // e_{j-1} / pivot_{j-1}
  for (int j = 0; j < p.n; ++j) {
    const double e = p.s(j) + p.a(j) * g;
    const double inv = 1.0 / (e + p.c(j));
    q[j] = inv;
    w[j] = p.c(j) * inv;
    g = e * inv;
  }
}

/// Back substitution x_j = y_j + w_j x_{j+1} on the double values y (row j of lane l at
/// y[j*lanes + l]) and the result rounded into u. `w_of(j)` gives row j's factor(s).
template <typename WOf>
void back_substitute(float* u, std::ptrdiff_t stride, int lanes, int n, double* y, WOf w_of) {
  const auto lanes_d = static_cast<std::ptrdiff_t>(lanes);
  {
    const double* __restrict last = y + (n - 1) * lanes_d;
    float* __restrict row = u + (n - 1) * stride;
    for (int l = 0; l < lanes; ++l) row[l] = static_cast<float>(last[l]);
  }
  for (int j = n - 2; j >= 0; --j) {
    double* __restrict yj = y + j * lanes_d;
    const double* __restrict next = y + (j + 1) * lanes_d;
    float* __restrict row = u + j * stride;
    for (int l = 0; l < lanes; ++l) {
      yj[l] += w_of(j, l) * next[l];
      row[l] = static_cast<float>(yj[l]);
    }
  }
}

/// Solves `lanes` lines without fixed voxels in place: element j of lane l is
/// u[j*stride + l]; q and w from factorise().
void solve_plain(float* u, std::ptrdiff_t stride, int lanes, const Sweep& p, const double* q,
                 const double* w, ImplicitLodSolver::Scratch& s) {
  const int n = p.n;
  const double r = p.r;
  const auto lanes_d = static_cast<std::ptrdiff_t>(lanes);
  double* y = s.y.data();
  {
    const float* __restrict row = u;
    double* __restrict y0 = y;
    const double add = p.add(0), q0 = q[0];
    for (int l = 0; l < lanes; ++l) y0[l] = (static_cast<double>(row[l]) + add) * q0;
  }
  for (int j = 1; j < n; ++j) {
    const double* __restrict prev = y + (j - 1) * lanes_d;
    double* __restrict yj = y + j * lanes_d;
    const float* __restrict row = u + j * stride;
    const double add = p.add(j), qj = q[j];
    for (int l = 0; l < lanes; ++l) {
      yj[l] = (static_cast<double>(row[l]) + add + r * prev[l]) * qj;
    }
  }
  back_substitute(u, stride, lanes, n, y, [w](int j, int) { return w[j]; });
}

/// As solve_plain for lines that may hold fixed voxels (mask m, same layout as u): each
/// fixed voxel is an identity row holding p.ufix, so the factors differ per lane.
void solve_masked(float* u, const std::uint8_t* m, std::ptrdiff_t stride, int lanes, const Sweep& p,
                  ImplicitLodSolver::Scratch& s) {
  const int n = p.n;
  const double ufix = p.ufix;
  const auto lanes_d = static_cast<std::ptrdiff_t>(lanes);
  double* y = s.y.data();
  double* w = s.w.data();
  double* __restrict g = s.g.data();
  {
    const float* __restrict row = u;
    double* __restrict y0 = y;
    double* __restrict w0 = w;
    const double c0 = p.c(0), s0 = p.s(0), add = p.add(0);
    for (int l = 0; l < lanes; ++l) {
      const bool f = m[l] != 0;
      const double c = f ? 0.0 : c0;
      const double e = f ? 1.0 : s0;
      const double d = f ? ufix : static_cast<double>(row[l]) + add;
      const double inv = 1.0 / (e + c);
      y0[l] = d * inv;
      w0[l] = c * inv;
      g[l] = e * inv;
    }
  }
  for (int j = 1; j < n; ++j) {
    const double* __restrict prev = y + (j - 1) * lanes_d;
    double* __restrict yj = y + j * lanes_d;
    double* __restrict wj = w + j * lanes_d;
    const float* __restrict row = u + j * stride;
    const std::uint8_t* __restrict mr = m + j * stride;
    const double a0 = p.a(j), c0 = p.c(j), s0 = p.s(j), add = p.add(j);
    for (int l = 0; l < lanes; ++l) {
      const bool f = mr[l] != 0;
      const double a = f ? 0.0 : a0;
      const double c = f ? 0.0 : c0;
      const double sj = f ? 1.0 : s0;
      const double d = f ? ufix : static_cast<double>(row[l]) + add;
      const double e = sj + a * g[l];
      const double inv = 1.0 / (e + c);
      yj[l] = (d + a * prev[l]) * inv;
      wj[l] = c * inv;
      g[l] = e * inv;
    }
  }
  back_substitute(u, stride, lanes, n, y,
                  [w, lanes_d](int j, int l) { return w[j * lanes_d + l]; });
}

/// Inflows with the new values: 2r(g - x_end) per fixed-value face of a non-fixed end
/// voxel, r(u_fixed - x_i) per line edge between a fixed and a non-fixed voxel. These make
/// Σ(x - u) over the lines equal boundary + fixed in exact arithmetic.
template <bool kMask>
Inflow line_inflows(const float* u, const std::uint8_t* m, std::ptrdiff_t stride, int lanes,
                    const Sweep& p, ImplicitLodSolver::Scratch& s) {
  const auto row_at = [&](int j) { return u + static_cast<std::ptrdiff_t>(j) * stride; };
  // Never offsets a null mask pointer (kMask == false passes none).
  const auto mask_at = [&](int j) -> const std::uint8_t* {
    return kMask ? m + static_cast<std::ptrdiff_t>(j) * stride : nullptr;
  };
  Inflow out;
  const auto face = [&](int j, double gv) {
    const float* row = row_at(j);
    [[maybe_unused]] const std::uint8_t* mr = mask_at(j);
    double sum = 0.0;
    for (int l = 0; l < lanes; ++l) {
      if constexpr (kMask) {
        if (mr[l] != 0) continue;
      }
      sum += gv - static_cast<double>(row[l]);
    }
    return 2.0 * p.r * sum;
  };
  if (p.low_fixed) out.boundary += face(0, p.g_low);
  if (p.high_fixed) out.boundary += face(p.n - 1, p.g_high);
  if constexpr (kMask) {
    double* __restrict acc = s.acc.data();
    std::fill(acc, acc + lanes, 0.0);
    const double uf = static_cast<double>(p.ufix);
    for (int j = 0; j + 1 < p.n; ++j) {
      const float* __restrict row0 = row_at(j);
      const float* __restrict row1 = row_at(j + 1);
      const std::uint8_t* __restrict m0 = mask_at(j);
      const std::uint8_t* __restrict m1 = mask_at(j + 1);
      for (int l = 0; l < lanes; ++l) {
        const bool f0 = m0[l] != 0;
        const bool f1 = m1[l] != 0;
        const float other = f0 ? row1[l] : row0[l];
        acc[l] += f0 != f1 ? uf - static_cast<double>(other) : 0.0;
      }
    }
    double sum = 0.0;
    for (int l = 0; l < lanes; ++l) sum += acc[l];
    out.fixed = p.r * sum;
  }
  return out;
}

/// Solves one block of lines and returns its inflows.
template <bool kMask>
Inflow solve_lines(float* u, const std::uint8_t* m, std::ptrdiff_t stride, int lanes,
                   const Sweep& p, const double* q, const double* w,
                   ImplicitLodSolver::Scratch& s) {
  if constexpr (kMask) {
    solve_masked(u, m, stride, lanes, p, s);
  } else {
    solve_plain(u, stride, lanes, p, q, w, s);
  }
  return line_inflows<kMask>(u, m, stride, lanes, p, s);
}

/// Sums the per-unit inflows in unit order.
FieldBalance sum_units(const std::vector<double>& boundary, const std::vector<double>& fixed,
                       std::ptrdiff_t units) {
  FieldBalance b;
  for (std::ptrdiff_t q = 0; q < units; ++q) {
    b.boundary_in += boundary[static_cast<std::size_t>(q)];
    b.fixed_in += fixed[static_cast<std::size_t>(q)];
  }
  return b;
}

/// x sweep: blocks of kXBlock lines, transposed into a tile so that lanes are contiguous.
template <bool kMask>
void sweep_x(float* u, const std::uint8_t* mask, const Lattice& lat, const Sweep& p,
             const double* q, const double* w, std::vector<ImplicitLodSolver::Scratch>& scratch,
             double* ub, double* uf) {
  const int nx = lat.nx();
  const std::ptrdiff_t lines = static_cast<std::ptrdiff_t>(lat.ny()) * lat.nz();
  const std::ptrdiff_t units = (lines + kXBlock - 1) / kXBlock;
#pragma omp parallel for schedule(static) if (units > 1)
  for (std::ptrdiff_t unit = 0; unit < units; ++unit) {
    auto& s = scratch[static_cast<std::size_t>(omp_get_thread_num())];
    const std::ptrdiff_t first = unit * kXBlock;
    const int lanes = static_cast<int>(std::min<std::ptrdiff_t>(kXBlock, lines - first));
    float* tile = s.tile.data();
    std::uint8_t* tmask = s.mask.data();
    for (int l = 0; l < lanes; ++l) {
      const float* src = u + (first + l) * nx;
      for (int i = 0; i < nx; ++i) tile[i * lanes + l] = src[i];
      if constexpr (kMask) {
        const std::uint8_t* msrc = mask + (first + l) * nx;
        for (int i = 0; i < nx; ++i) tmask[i * lanes + l] = msrc[i];
      }
    }
    const Inflow in = solve_lines<kMask>(tile, tmask, lanes, lanes, p, q, w, s);
    for (int l = 0; l < lanes; ++l) {
      float* dst = u + (first + l) * nx;
      for (int i = 0; i < nx; ++i) dst[i] = tile[i * lanes + l];
    }
    ub[unit] = in.boundary;
    uf[unit] = in.fixed;
  }
}

/// y or z sweep: kLanes contiguous x-lines at once, lines `stride` apart; `outer` blocks
/// of them, each starting `outer_stride` after the previous one.
template <bool kMask>
void sweep_strided(float* u, const std::uint8_t* mask, int nx, std::ptrdiff_t stride, int outer,
                   std::ptrdiff_t outer_stride, const Sweep& p, const double* q, const double* w,
                   std::vector<ImplicitLodSolver::Scratch>& scratch, double* ub, double* uf) {
  const int chunks = (nx + kLanes - 1) / kLanes;
  const std::ptrdiff_t units = static_cast<std::ptrdiff_t>(outer) * chunks;
#pragma omp parallel for schedule(static) if (units > 1)
  for (std::ptrdiff_t unit = 0; unit < units; ++unit) {
    auto& s = scratch[static_cast<std::size_t>(omp_get_thread_num())];
    const std::ptrdiff_t o = unit / chunks;
    const int x0 = static_cast<int>(unit % chunks) * kLanes;
    const int lanes = std::min(kLanes, nx - x0);
    const std::ptrdiff_t base = o * outer_stride + x0;
    const Inflow in =
        solve_lines<kMask>(u + base, kMask ? mask + base : nullptr, stride, lanes, p, q, w, s);
    ub[unit] = in.boundary;
    uf[unit] = in.fixed;
  }
}

Sweep make_sweep(const Field& field, double r, int n, Face low, Face high) {
  Sweep p;
  p.r = r;
  p.ufix = static_cast<float>(field.spec().fixed_value);
  const FaceBoundary& lo = field.spec().faces[static_cast<std::size_t>(low)];
  const FaceBoundary& hi = field.spec().faces[static_cast<std::size_t>(high)];
  p.low_fixed = lo.kind == BoundaryKind::FixedValue;
  p.high_fixed = hi.kind == BoundaryKind::FixedValue;
  p.g_low = lo.value;
  p.g_high = hi.value;
  p.n = n;
  return p;
}

// A one-voxel line with no-flux ends does not change.
bool is_identity(const Sweep& p) {
  return p.n == 1 && !p.low_fixed && !p.high_fixed;
}

}  // namespace

ImplicitLodSolver::ImplicitLodSolver(const Lattice& lattice) : lattice_(lattice) {
  const std::size_t chunks = static_cast<std::size_t>((lattice.nx() + kLanes - 1) / kLanes);
  const std::size_t lines = static_cast<std::size_t>(lattice.ny()) * lattice.nz();
  const std::size_t units =
      std::max({(lines + kXBlock - 1) / kXBlock, chunks * static_cast<std::size_t>(lattice.nz()),
                chunks * static_cast<std::size_t>(lattice.ny())});
  unit_boundary_.assign(units, 0.0);
  unit_fixed_.assign(units, 0.0);
  const auto longest =
      static_cast<std::size_t>(std::max({lattice.nx(), lattice.ny(), lattice.nz()}));
  factor_q_.assign(longest, 0.0);
  factor_w_.assign(longest, 0.0);
}

void ImplicitLodSolver::ensure_scratch() {
  const auto threads = static_cast<std::size_t>(std::max(1, omp_get_max_threads()));
  if (scratch_.size() >= threads) return;
  const auto nx = static_cast<std::size_t>(lattice_.nx());
  const auto ny = static_cast<std::size_t>(lattice_.ny());
  const auto nz = static_cast<std::size_t>(lattice_.nz());
  const std::size_t lanes = std::min<std::size_t>(kLanes, nx);
  const std::size_t w = std::max({nx * kXBlock, ny * lanes, nz * lanes});
  scratch_.resize(threads);
  for (Scratch& s : scratch_) {
    s.y.resize(w);
    s.w.resize(w);
    s.g.resize(kLanes);
    s.acc.resize(kLanes);
    s.tile.resize(nx * kXBlock);
    s.mask.resize(nx * kXBlock);
  }
}

FieldBalance ImplicitLodSolver::step(Field& field, double dt_min) {
  assert(field.values().size() == lattice_.size());
  FieldBalance b = apply_reactions(field, dt_min);
  b += diffuse(field, dt_min);
  return b;
}

FieldBalance ImplicitLodSolver::diffuse(Field& field, double dt_min) {
  const double h = lattice_.voxel_size_um();
  const double r = dt_min * field.spec().diffusion_um2_per_min / (h * h);
  if (r == 0.0) return {};
  assert(r > 0.0);
  ensure_scratch();

  float* u = field.values().data();
  const std::uint8_t* mask = field.fixed_mask();
  const int nx = lattice_.nx();
  const int ny = lattice_.ny();
  const int nz = lattice_.nz();
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(nx) * ny;
  const std::ptrdiff_t chunks = (nx + kLanes - 1) / kLanes;
  double* ub = unit_boundary_.data();
  double* uf = unit_fixed_.data();
  double* q = factor_q_.data();
  double* w = factor_w_.data();

  FieldBalance b;
  const Sweep sx = make_sweep(field, r, nx, Face::XLow, Face::XHigh);
  if (!is_identity(sx)) {
    if (mask != nullptr) {
      sweep_x<true>(u, mask, lattice_, sx, q, w, scratch_, ub, uf);
    } else {
      factorise(sx, q, w);
      sweep_x<false>(u, mask, lattice_, sx, q, w, scratch_, ub, uf);
    }
    b += sum_units(unit_boundary_, unit_fixed_,
                   (static_cast<std::ptrdiff_t>(ny) * nz + kXBlock - 1) / kXBlock);
  }
  const Sweep sy = make_sweep(field, r, ny, Face::YLow, Face::YHigh);
  if (!is_identity(sy)) {
    if (mask != nullptr) {
      sweep_strided<true>(u, mask, nx, nx, nz, plane, sy, q, w, scratch_, ub, uf);
    } else {
      factorise(sy, q, w);
      sweep_strided<false>(u, mask, nx, nx, nz, plane, sy, q, w, scratch_, ub, uf);
    }
    b += sum_units(unit_boundary_, unit_fixed_, chunks * nz);
  }
  if (!lattice_.is_2d()) {
    const Sweep sz = make_sweep(field, r, nz, Face::ZLow, Face::ZHigh);
    if (!is_identity(sz)) {
      if (mask != nullptr) {
        sweep_strided<true>(u, mask, nx, plane, ny, nx, sz, q, w, scratch_, ub, uf);
      } else {
        factorise(sz, q, w);
        sweep_strided<false>(u, mask, nx, plane, ny, nx, sz, q, w, scratch_, ub, uf);
      }
      b += sum_units(unit_boundary_, unit_fixed_, chunks * ny);
    }
  }
  return b;
}

}  // namespace regensim::sim
