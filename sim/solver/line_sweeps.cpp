#include "sim/solver/line_sweeps.hpp"

#include <omp.h>

#include <algorithm>
#include <cassert>

namespace regensim::sim::detail {

namespace {

// y and z stages solve kLanes neighbouring x-lines at once (contiguous in memory); the
// x stage transposes kXBlock lines into a tile and solves them the same way. Both sizes
// fix the work units, so the per-unit sums do not depend on the thread count.
constexpr int kLanes = 64;
constexpr int kXBlock = 16;

/// The coefficients of one stage along a line of n voxels.
struct Rows {
  double r = 0.0;
  double s_base = 1.0;
  bool low_fixed = false, high_fixed = false;
  double g_low = 0.0, g_high = 0.0;
  int n = 0;

  double a(int j) const { return j > 0 ? r : 0.0; }
  double c(int j) const { return j < n - 1 ? r : 0.0; }
  double s(int j) const {
    return s_base + (j == 0 && low_fixed ? 2.0 * r : 0.0) +
           (j == n - 1 && high_fixed ? 2.0 * r : 0.0);
  }
  double add(int j) const {
    return (j == 0 && low_fixed ? 2.0 * r * g_low : 0.0) +
           (j == n - 1 && high_fixed ? 2.0 * r * g_high : 0.0);
  }
};

// The elimination is the Thomas algorithm written on the diagonal excess
// e_j = pivot_j - c_j = s_j + a_j * e_{j-1} / pivot_{j-1}, the form used by GTH-type
// solvers for M-matrices: it only adds, multiplies and divides non-negative numbers, so
// every pivot keeps full relative precision even when r is in the thousands (the textbook
// pivot b_j - a_j*c'_{j-1} cancels there), and non-negative data stay non-negative.

/// The factors shared by every line without fixed voxels or extra diagonal:
/// q_j = 1/pivot_j and w_j = c_j/pivot_j, so that y_j = (d_j + add_j + a_j y_{j-1}) q_j and
/// x_j = y_j + w_j x_{j+1}.
void factorise(const Rows& p, double* q, double* w) {
  double g = 0.0;  // e_{j-1} / pivot_{j-1}
  for (int j = 0; j < p.n; ++j) {
    const double e = p.s(j) + p.a(j) * g;
    const double inv = 1.0 / (e + p.c(j));
    q[j] = inv;
    w[j] = p.c(j) * inv;
    g = e * inv;
  }
}

/// Solves `lanes` lines without fixed voxels or extra diagonal in place: element j of
/// lane l is u[j*stride + l]; q and w from factorise().
void solve_plain(double* u, std::ptrdiff_t stride, int lanes, const Rows& p, const double* q,
                 const double* w) {
  const int n = p.n;
  const double r = p.r;
  {
    double* __restrict row = u;
    const double add = p.add(0), q0 = q[0];
    for (int l = 0; l < lanes; ++l) row[l] = (row[l] + add) * q0;
  }
  for (int j = 1; j < n; ++j) {
    const double* __restrict prev = u + (j - 1) * stride;
    double* __restrict row = u + j * stride;
    const double add = p.add(j), qj = q[j];
    for (int l = 0; l < lanes; ++l) row[l] = (row[l] + add + r * prev[l]) * qj;
  }
  for (int j = n - 2; j >= 0; --j) {
    double* __restrict row = u + j * stride;
    const double* __restrict next = u + (j + 1) * stride;
    const double wj = w[j];
    for (int l = 0; l < lanes; ++l) row[l] += wj * next[l];
  }
}

/// As solve_plain for lines with fixed voxels (mask m) and/or a per-voxel extra diagonal
/// (ex), both in the layout of u: the factors differ per lane.
template <bool kMask, bool kExtra>
void solve_general(double* u, const std::uint8_t* m, const double* ex, std::ptrdiff_t stride,
                   int lanes, const Rows& p, AxisSolver::Scratch& s) {
  const int n = p.n;
  double* __restrict g = s.g.data();
  double* w = s.w.data();
  const auto fixed_at = [&](std::ptrdiff_t i) {
    if constexpr (kMask) {
      return m[i] != 0;
    } else {
      return false;
    }
  };
  const auto extra_at = [&](std::ptrdiff_t i) {
    if constexpr (kExtra) {
      return ex[i];
    } else {
      return 0.0;
    }
  };
  {
    double* __restrict row = u;
    double* __restrict w0 = w;
    const double c0 = p.c(0), s0 = p.s(0), add = p.add(0);
    for (int l = 0; l < lanes; ++l) {
      const bool f = fixed_at(l);
      const double c = f ? 0.0 : c0;
      const double e = f ? 1.0 : s0 + extra_at(l);
      const double d = f ? row[l] : row[l] + add;
      const double inv = 1.0 / (e + c);
      row[l] = d * inv;
      w0[l] = c * inv;
      g[l] = e * inv;
    }
  }
  for (int j = 1; j < n; ++j) {
    const std::ptrdiff_t off = j * stride;
    double* __restrict row = u + off;
    const double* __restrict prev = row - stride;
    double* __restrict wj = w + static_cast<std::ptrdiff_t>(j) * lanes;
    const double a0 = p.a(j), c0 = p.c(j), s0 = p.s(j), add = p.add(j);
    for (int l = 0; l < lanes; ++l) {
      const bool f = fixed_at(off + l);
      const double a = f ? 0.0 : a0;
      const double c = f ? 0.0 : c0;
      const double d = f ? row[l] : row[l] + add;
      const double e = f ? 1.0 : s0 + extra_at(off + l) + a * g[l];
      const double inv = 1.0 / (e + c);
      row[l] = (d + a * prev[l]) * inv;
      wj[l] = c * inv;
      g[l] = e * inv;
    }
  }
  for (int j = n - 2; j >= 0; --j) {
    double* __restrict row = u + j * stride;
    const double* __restrict next = row + stride;
    const double* __restrict wj = w + static_cast<std::ptrdiff_t>(j) * lanes;
    for (int l = 0; l < lanes; ++l) row[l] += wj[l] * next[l];
  }
}

/// The StageSums of one block of solved lines (see line_sweeps.hpp).
template <bool kMask>
StageSums line_sums(const double* u, const std::uint8_t* m, std::ptrdiff_t stride, int lanes,
                    const Rows& p, bool want_kept, AxisSolver::Scratch& s) {
  StageSums out;
  const auto face = [&](int j, double gv) {
    const double* row = u + j * stride;
    double sum = 0.0;
    for (int l = 0; l < lanes; ++l) {
      if constexpr (kMask) {
        if (m[j * stride + l] != 0) continue;
      }
      sum += gv - row[l];
    }
    return 2.0 * p.r * sum;
  };
  if (p.low_fixed) out.boundary += face(0, p.g_low);
  if (p.high_fixed) out.boundary += face(p.n - 1, p.g_high);
  if constexpr (kMask) {
    double* __restrict acc = s.acc.data();
    std::fill(acc, acc + lanes, 0.0);
    for (int j = 0; j + 1 < p.n; ++j) {
      const double* __restrict row0 = u + j * stride;
      const double* __restrict row1 = row0 + stride;
      const std::uint8_t* __restrict m0 = m + j * stride;
      const std::uint8_t* __restrict m1 = m0 + stride;
      for (int l = 0; l < lanes; ++l) {
        const bool f0 = m0[l] != 0;
        const bool f1 = m1[l] != 0;
        const double diff = f0 ? row0[l] - row1[l] : row1[l] - row0[l];
        acc[l] += f0 != f1 ? diff : 0.0;
      }
    }
    double sum = 0.0;
    for (int l = 0; l < lanes; ++l) sum += acc[l];
    out.fixed = p.r * sum;
  }
  if (want_kept) {
    double* __restrict acc = s.acc.data();
    std::fill(acc, acc + lanes, 0.0);
    for (int j = 0; j < p.n; ++j) {
      const double* __restrict row = u + j * stride;
      for (int l = 0; l < lanes; ++l) {
        if constexpr (kMask) {
          acc[l] += m[j * stride + l] != 0 ? 0.0 : row[l];
        } else {
          acc[l] += row[l];
        }
      }
    }
    double sum = 0.0;
    for (int l = 0; l < lanes; ++l) sum += acc[l];
    out.kept = sum;
  }
  return out;
}

/// Solves one block of lines in place and returns its sums.
StageSums solve_block(double* u, const std::uint8_t* m, const double* ex, std::ptrdiff_t stride,
                      int lanes, const Rows& p, bool want_kept, const double* q, const double* w,
                      AxisSolver::Scratch& s) {
  if (m != nullptr) {
    if (ex != nullptr) {
      solve_general<true, true>(u, m, ex, stride, lanes, p, s);
    } else {
      solve_general<true, false>(u, m, ex, stride, lanes, p, s);
    }
    return line_sums<true>(u, m, stride, lanes, p, want_kept, s);
  }
  if (ex != nullptr) {
    solve_general<false, true>(u, m, ex, stride, lanes, p, s);
  } else {
    solve_plain(u, stride, lanes, p, q, w);
  }
  return line_sums<false>(u, m, stride, lanes, p, want_kept, s);
}

/// x axis: blocks of kXBlock lines, transposed into a tile so that lanes are contiguous.
void sweep_x(double* u, const std::uint8_t* mask, const double* extra, const Lattice& lat,
             const Rows& p, bool want_kept, const double* q, const double* w,
             std::vector<AxisSolver::Scratch>& scratch, StageSums* sums) {
  const int nx = lat.nx();
  const std::ptrdiff_t lines = static_cast<std::ptrdiff_t>(lat.ny()) * lat.nz();
  const std::ptrdiff_t units = (lines + kXBlock - 1) / kXBlock;
#pragma omp parallel for schedule(static) if (units > 1)
  for (std::ptrdiff_t unit = 0; unit < units; ++unit) {
    auto& s = scratch[static_cast<std::size_t>(omp_get_thread_num())];
    const std::ptrdiff_t first = unit * kXBlock;
    const int lanes = static_cast<int>(std::min<std::ptrdiff_t>(kXBlock, lines - first));
    double* tile = s.tile.data();
    for (int l = 0; l < lanes; ++l) {
      const double* src = u + (first + l) * nx;
      for (int i = 0; i < nx; ++i) tile[i * lanes + l] = src[i];
      if (mask != nullptr) {
        const std::uint8_t* msrc = mask + (first + l) * nx;
        for (int i = 0; i < nx; ++i) s.tile_mask[static_cast<std::size_t>(i * lanes + l)] = msrc[i];
      }
      if (extra != nullptr) {
        const double* esrc = extra + (first + l) * nx;
        for (int i = 0; i < nx; ++i)
          s.tile_extra[static_cast<std::size_t>(i * lanes + l)] = esrc[i];
      }
    }
    sums[unit] = solve_block(tile, mask != nullptr ? s.tile_mask.data() : nullptr,
                             extra != nullptr ? s.tile_extra.data() : nullptr, lanes, lanes, p,
                             want_kept, q, w, s);
    for (int l = 0; l < lanes; ++l) {
      double* dst = u + (first + l) * nx;
      for (int i = 0; i < nx; ++i) dst[i] = tile[i * lanes + l];
    }
  }
}

/// y or z axis: kLanes contiguous x-lines at once, lines `stride` apart; `outer` blocks
/// of them, each starting `outer_stride` after the previous one.
void sweep_strided(double* u, const std::uint8_t* mask, int nx, std::ptrdiff_t stride, int outer,
                   std::ptrdiff_t outer_stride, const Rows& p, bool want_kept, const double* q,
                   const double* w, std::vector<AxisSolver::Scratch>& scratch, StageSums* sums) {
  const int chunks = (nx + kLanes - 1) / kLanes;
  const std::ptrdiff_t units = static_cast<std::ptrdiff_t>(outer) * chunks;
#pragma omp parallel for schedule(static) if (units > 1)
  for (std::ptrdiff_t unit = 0; unit < units; ++unit) {
    auto& s = scratch[static_cast<std::size_t>(omp_get_thread_num())];
    const std::ptrdiff_t o = unit / chunks;
    const int x0 = static_cast<int>(unit % chunks) * kLanes;
    const int lanes = std::min(kLanes, nx - x0);
    const std::ptrdiff_t base = o * outer_stride + x0;
    sums[unit] = solve_block(u + base, mask != nullptr ? mask + base : nullptr, nullptr, stride,
                             lanes, p, want_kept, q, w, s);
  }
}

}  // namespace

AxisSolver::AxisSolver(const Lattice& lattice) : lattice_(lattice) {
  const std::size_t chunks = static_cast<std::size_t>((lattice.nx() + kLanes - 1) / kLanes);
  const std::size_t lines = static_cast<std::size_t>(lattice.ny()) * lattice.nz();
  const std::size_t units =
      std::max({(lines + kXBlock - 1) / kXBlock, chunks * static_cast<std::size_t>(lattice.nz()),
                chunks * static_cast<std::size_t>(lattice.ny())});
  unit_sums_.assign(units, StageSums{});
  const auto longest =
      static_cast<std::size_t>(std::max({lattice.nx(), lattice.ny(), lattice.nz()}));
  factor_q_.assign(longest, 0.0);
  factor_w_.assign(longest, 0.0);
}

void AxisSolver::ensure_scratch() {
  const auto threads = static_cast<std::size_t>(std::max(1, omp_get_max_threads()));
  if (scratch_.size() >= threads) return;
  const auto nx = static_cast<std::size_t>(lattice_.nx());
  const auto ny = static_cast<std::size_t>(lattice_.ny());
  const auto nz = static_cast<std::size_t>(lattice_.nz());
  const std::size_t lanes = std::min<std::size_t>(kLanes, nx);
  const std::size_t w = std::max({nx * kXBlock, ny * lanes, nz * lanes});
  scratch_.resize(threads);
  for (Scratch& s : scratch_) {
    s.w.resize(w);
    s.g.resize(kLanes);
    s.acc.resize(kLanes);
    s.tile.resize(nx * kXBlock);
    s.tile_extra.resize(nx * kXBlock);
    s.tile_mask.resize(nx * kXBlock);
  }
}

StageSums AxisSolver::solve(const AxisStage& stage, double* u, const std::uint8_t* mask,
                            const double* extra) {
  assert(stage.r >= 0.0 && stage.sigma >= 0.0);
  assert(extra == nullptr || stage.axis == 0);
  ensure_scratch();
  const int nx = lattice_.nx();
  const int ny = lattice_.ny();
  const int nz = lattice_.nz();
  const int dims[3] = {nx, ny, nz};
  Rows p;
  p.r = stage.r;
  p.s_base = 1.0 + stage.sigma;
  p.low_fixed = stage.low_fixed;
  p.high_fixed = stage.high_fixed;
  p.g_low = stage.g_low;
  p.g_high = stage.g_high;
  p.n = dims[stage.axis];
  double* q = factor_q_.data();
  double* w = factor_w_.data();
  if (mask == nullptr && extra == nullptr) factorise(p, q, w);

  StageSums* sums = unit_sums_.data();
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(nx) * ny;
  const std::ptrdiff_t chunks = (nx + kLanes - 1) / kLanes;
  std::ptrdiff_t units = 0;
  switch (stage.axis) {
    case 0:
      sweep_x(u, mask, extra, lattice_, p, stage.want_kept, q, w, scratch_, sums);
      units = (static_cast<std::ptrdiff_t>(ny) * nz + kXBlock - 1) / kXBlock;
      break;
    case 1:
      sweep_strided(u, mask, nx, nx, nz, plane, p, stage.want_kept, q, w, scratch_, sums);
      units = chunks * nz;
      break;
    default:
      sweep_strided(u, mask, nx, plane, ny, nx, p, stage.want_kept, q, w, scratch_, sums);
      units = chunks * ny;
      break;
  }
  StageSums total;
  for (std::ptrdiff_t k = 0; k < units; ++k) {
    total.boundary += sums[k].boundary;
    total.fixed += sums[k].fixed;
    total.kept += sums[k].kept;
  }
  return total;
}

}  // namespace regensim::sim::detail
