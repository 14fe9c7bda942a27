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

/// One axis of one diffusion step.
struct Sweep {
  float r = 0.0f;     // dt*D/h^2
  float ufix = 0.0f;  // value held by fixed voxels
  bool low_fixed = false, high_fixed = false;
  float g_low = 0.0f, g_high = 0.0f;  // face values where fixed
  int n = 0;                          // line length
};

struct Inflow {
  double boundary = 0.0;
  double fixed = 0.0;
};

/// Solves (I - dt*D*L) x = u in place for `lanes` independent lines: element j of lane l
/// is u[j*stride + l] (its fixed flag m[j*stride + l]). Returns the lines' inflows.
///
/// The elimination is the Thomas algorithm written on the diagonal excess
/// e_j = pivot_j - c_j = s_j + a_j * e_{j-1} / pivot_{j-1} (s_j: the row sum, 1 plus any
/// face term; a_j, c_j: the couplings), the form used by GTH-type solvers for M-matrices.
/// It only adds, multiplies and divides non-negative numbers, so every pivot keeps full
/// relative precision in float even when r = dt*D/h^2 is in the thousands; the textbook
/// pivot b_j - a_j*c'_{j-1} cancels catastrophically there and loses mass at a rate of
/// about eps*r per step.
template <bool kMask>
Inflow solve_lines(float* u, const std::uint8_t* m, std::ptrdiff_t stride, int lanes,
                   const Sweep& p, ImplicitLodSolver::Scratch& s) {
  const int n = p.n;
  const float r = p.r;
  const float two_r = 2.0f * r;
  const float ufix = p.ufix;
  float* __restrict w = s.w.data();
  float* __restrict g = s.g.data();
  const auto row_at = [&](int j) { return u + static_cast<std::ptrdiff_t>(j) * stride; };
  // Never offsets a null mask pointer (kMask == false passes none).
  const auto mask_at = [&](int j) -> const std::uint8_t* {
    return kMask ? m + static_cast<std::ptrdiff_t>(j) * stride : nullptr;
  };
  const auto w_at = [&](int j) { return w + static_cast<std::ptrdiff_t>(j) * lanes; };

  // Forward elimination; d' overwrites u.
  {
    const float c0 = n > 1 ? r : 0.0f;
    float s0 = 1.0f;
    float add = 0.0f;
    if (p.low_fixed) {
      s0 += two_r;
      add += two_r * p.g_low;
    }
    if (n == 1 && p.high_fixed) {
      s0 += two_r;
      add += two_r * p.g_high;
    }
    float* __restrict row = row_at(0);
    [[maybe_unused]] const std::uint8_t* __restrict mr = mask_at(0);
    for (int l = 0; l < lanes; ++l) {
      float sj = s0, cj = c0, dj = row[l] + add;
      if constexpr (kMask) {
        const bool f = mr[l] != 0;
        sj = f ? 1.0f : sj;
        cj = f ? 0.0f : cj;
        dj = f ? ufix : dj;
      }
      const float inv = 1.0f / (sj + cj);
      row[l] = dj * inv;
      w[l] = cj * inv;
      g[l] = sj * inv;
    }
  }
  for (int j = 1; j < n - 1; ++j) {
    const float* __restrict prev = row_at(j - 1);
    float* __restrict row = row_at(j);
    float* __restrict wj = w_at(j);
    [[maybe_unused]] const std::uint8_t* __restrict mr = mask_at(j);
    for (int l = 0; l < lanes; ++l) {
      float a = r, c = r, sj = 1.0f, dj = row[l];
      if constexpr (kMask) {
        const bool f = mr[l] != 0;
        a = f ? 0.0f : a;
        c = f ? 0.0f : c;
        dj = f ? ufix : dj;
      }
      const float e = sj + a * g[l];
      const float inv = 1.0f / (e + c);
      row[l] = (dj + a * prev[l]) * inv;
      wj[l] = c * inv;
      g[l] = e * inv;
    }
  }
  if (n > 1) {
    float s_last = 1.0f;
    float add = 0.0f;
    if (p.high_fixed) {
      s_last += two_r;
      add = two_r * p.g_high;
    }
    const float* __restrict prev = row_at(n - 2);
    float* __restrict row = row_at(n - 1);
    [[maybe_unused]] const std::uint8_t* __restrict mr = mask_at(n - 1);
    for (int l = 0; l < lanes; ++l) {
      float a = r, sj = s_last, dj = row[l] + add;
      if constexpr (kMask) {
        const bool f = mr[l] != 0;
        a = f ? 0.0f : a;
        sj = f ? 1.0f : sj;
        dj = f ? ufix : dj;
      }
      const float e = sj + a * g[l];
      row[l] = (dj + a * prev[l]) / e;
    }
  }
  // Back substitution x_j = d'_j + w_j x_{j+1}.
  for (int j = n - 2; j >= 0; --j) {
    float* __restrict row = row_at(j);
    const float* __restrict next = row_at(j + 1);
    const float* __restrict wj = w_at(j);
    for (int l = 0; l < lanes; ++l) row[l] += wj[l] * next[l];
  }

  // Inflows with the new values: 2r(g - x_end) per fixed-value face of a non-fixed end
  // voxel, r(u_fixed - x_i) per line edge between a fixed and a non-fixed voxel.
  Inflow out;
  const auto face_inflow = [&](int j, float gv) {
    const float* row = row_at(j);
    const std::uint8_t* mr = mask_at(j);
    double sum = 0.0;
    for (int l = 0; l < lanes; ++l) {
      if (kMask && mr[l] != 0) continue;
      sum += static_cast<double>(gv) - static_cast<double>(row[l]);
    }
    return static_cast<double>(two_r) * sum;
  };
  if (p.low_fixed) out.boundary += face_inflow(0, p.g_low);
  if (p.high_fixed) out.boundary += face_inflow(n - 1, p.g_high);
  if constexpr (kMask) {
    double* __restrict acc = s.acc.data();
    std::fill(acc, acc + lanes, 0.0);
    const double uf = static_cast<double>(ufix);
    for (int j = 0; j + 1 < n; ++j) {
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
    out.fixed = static_cast<double>(r) * sum;
  }
  return out;
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
             std::vector<ImplicitLodSolver::Scratch>& scratch, double* ub, double* uf) {
  const int nx = lat.nx();
  const std::ptrdiff_t lines = static_cast<std::ptrdiff_t>(lat.ny()) * lat.nz();
  const std::ptrdiff_t units = (lines + kXBlock - 1) / kXBlock;
#pragma omp parallel for schedule(static) if (units > 1)
  for (std::ptrdiff_t q = 0; q < units; ++q) {
    auto& s = scratch[static_cast<std::size_t>(omp_get_thread_num())];
    const std::ptrdiff_t first = q * kXBlock;
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
    const Inflow in = solve_lines<kMask>(tile, tmask, lanes, lanes, p, s);
    for (int l = 0; l < lanes; ++l) {
      float* dst = u + (first + l) * nx;
      for (int i = 0; i < nx; ++i) dst[i] = tile[i * lanes + l];
    }
    ub[q] = in.boundary;
    uf[q] = in.fixed;
  }
}

/// y or z sweep: kLanes contiguous x-lines at once, lines `stride` apart; `outer` blocks
/// of them, each starting `outer_stride` after the previous one.
template <bool kMask>
void sweep_strided(float* u, const std::uint8_t* mask, int nx, std::ptrdiff_t stride, int outer,
                   std::ptrdiff_t outer_stride, const Sweep& p,
                   std::vector<ImplicitLodSolver::Scratch>& scratch, double* ub, double* uf) {
  const int chunks = (nx + kLanes - 1) / kLanes;
  const std::ptrdiff_t units = static_cast<std::ptrdiff_t>(outer) * chunks;
#pragma omp parallel for schedule(static) if (units > 1)
  for (std::ptrdiff_t q = 0; q < units; ++q) {
    auto& s = scratch[static_cast<std::size_t>(omp_get_thread_num())];
    const std::ptrdiff_t o = q / chunks;
    const int x0 = static_cast<int>(q % chunks) * kLanes;
    const int lanes = std::min(kLanes, nx - x0);
    const std::ptrdiff_t base = o * outer_stride + x0;
    const Inflow in =
        solve_lines<kMask>(u + base, kMask ? mask + base : nullptr, stride, lanes, p, s);
    ub[q] = in.boundary;
    uf[q] = in.fixed;
  }
}

Sweep make_sweep(const Field& field, float r, int n, Face low, Face high) {
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
  const auto r = static_cast<float>(dt_min * field.spec().diffusion_um2_per_min / (h * h));
  if (r == 0.0f) return {};
  assert(r > 0.0f);
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

  FieldBalance b;
  const Sweep sx = make_sweep(field, r, nx, Face::XLow, Face::XHigh);
  if (!is_identity(sx)) {
    if (mask != nullptr) {
      sweep_x<true>(u, mask, lattice_, sx, scratch_, ub, uf);
    } else {
      sweep_x<false>(u, mask, lattice_, sx, scratch_, ub, uf);
    }
    b += sum_units(unit_boundary_, unit_fixed_,
                   (static_cast<std::ptrdiff_t>(ny) * nz + kXBlock - 1) / kXBlock);
  }
  const Sweep sy = make_sweep(field, r, ny, Face::YLow, Face::YHigh);
  if (!is_identity(sy)) {
    if (mask != nullptr) {
      sweep_strided<true>(u, mask, nx, nx, nz, plane, sy, scratch_, ub, uf);
    } else {
      sweep_strided<false>(u, mask, nx, nx, nz, plane, sy, scratch_, ub, uf);
    }
    b += sum_units(unit_boundary_, unit_fixed_, chunks * nz);
  }
  if (!lattice_.is_2d()) {
    const Sweep sz = make_sweep(field, r, nz, Face::ZLow, Face::ZHigh);
    if (!is_identity(sz)) {
      if (mask != nullptr) {
        sweep_strided<true>(u, mask, nx, plane, ny, nx, sz, scratch_, ub, uf);
      } else {
        sweep_strided<false>(u, mask, nx, plane, ny, nx, sz, scratch_, ub, uf);
      }
      b += sum_units(unit_boundary_, unit_fixed_, chunks * ny);
    }
  }
  return b;
}

}  // namespace regensim::sim
