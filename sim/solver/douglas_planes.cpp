#include "sim/solver/douglas_planes.hpp"
#include "sim/solver/stencil.hpp"
#include "sim/solver/transpose.hpp"

#include <omp.h>

#include <algorithm>
#include <cassert>
#include <cstring>

namespace regensim::sim::detail {

namespace {

// x factor: x_tile_lanes() neighbouring x-lines transposed into a tile; y factor (and the
// 2D commit): kLanes neighbouring lines solved together in place; 3D commit: kZLanes
// z-lines of consecutive voxels of a plane (across row ends: each z-line is independent).
// These fix the work units. The z-lines step a whole plane between elements, so each
// plane's piece of a unit is a separate memory stream; 1 KiB pieces keep the prefetchers
// busy where 256 B pieces left the z pass waiting on memory (docs/performance.md).
constexpr int kLanes = 64;
constexpr int kZLanes = 256;

/// Lines per x tile: 64 while the tile (nx x 64 floats) fits a 32 KiB L1 data cache, else
/// 32. The tile is swept forward and back and read for the sums, so out of L1 each pass
/// waits on L2: on 256^3, 32 lines made the factor step 6-8 % faster; on 128^3 they made
/// it 20-35 % slower (four vectors of lines per row hide the recurrence's latency better
/// than two). Fewer than 32 would leave one vector per row. A function of nx only, so the
/// units, and the order the sums are added in, are the same for any thread count (which
/// tiles take the shared-factor path, and so the values' rounding, depends on it too).
int x_tile_lanes(int nx) {
  constexpr std::ptrdiff_t kL1Bytes = 32 * 1024;
  return static_cast<std::ptrdiff_t>(nx) * 64 * static_cast<std::ptrdiff_t>(sizeof(float)) <=
                 kL1Bytes
             ? 64
             : 32;
}

/// Diagonal of a fixed voxel's row in the x factor's tile (2^100): the penalty form of the
/// identity row, exact to about 1e-28 relative.
constexpr float kFixedDiagonal = 0x1p100f;

/// Prefetches `lanes` floats from p (one request per cache line).
REGENSIM_KERNEL void prefetch_lanes(const float* p, int lanes, bool for_write) {
  for (int l = 0; l < lanes; l += 16) {
    if (for_write) {
      __builtin_prefetch(p + l, 1);
    } else {
      __builtin_prefetch(p + l, 0);
    }
  }
}

const VoxelTerm* first_term_at_or_after(const DouglasInput& in, VoxelIndex v) {
  return std::lower_bound(in.terms, in.terms + in.term_count, v,
                          [](const VoxelTerm& t, VoxelIndex key) { return t.voxel < key; });
}

/// Σ v[0..n) in double (sum8; inlined, so each instruction-set clone of x_block
/// vectorises it, with the same bits in all).
REGENSIM_KERNEL double sum_of(const float* v, int n) {
  return sum8(n, [v](int i) { return static_cast<double>(v[i]); });
}

/// Largest r = dt*D/h^2 at which the explicit increment's interior is summed in float.
/// Near a steady state F is a small difference of large fluxes; float rounding of the
/// differences, times r, then shows in the balance identity (Σ F against the flows). Per
/// step on the lattice of ImplicitLod.SteadyStateIsExactForAnyStep: float within 1.2e-7 of
/// the totals up to r = 2000, double within 1e-6 there (the solves' float rounding
/// dominates either way); at r = 1e4 float gives 4.6e-6, double 1.8e-7. Float needs no
/// conversions and packs twice the values per vector: the factor fields' step is 15-19 %
/// faster.
constexpr double kFloatIncrementMaxR = 1024.0;

/// The explicit increment F = r Σ_neighbours (u_n - u) - k_dt u at x = 1 .. nx-2 of one
/// row (the ends and faces are the caller's), in T arithmetic; returns whether any u < 0
/// there. The neighbour rows read the row itself where there is no neighbour.
template <class T>
REGENSIM_KERNEL unsigned interior_increment(const float* __restrict o, const float* __restrict ym,
                                            const float* __restrict yp, const float* __restrict zm,
                                            const float* __restrict zp, int nx, double r,
                                            double k_dt, float* __restrict f) {
  const T rt = static_cast<T>(r);
  const T kt = static_cast<T>(k_dt);
  unsigned negative = 0;
  for (int x = 1; x < nx - 1; ++x) {
    const T c = o[x];
    const T along = (static_cast<T>(o[x - 1]) - c) + (static_cast<T>(o[x + 1]) - c);
    const T across = ((static_cast<T>(ym[x]) - c) + (static_cast<T>(yp[x]) - c)) +
                     ((static_cast<T>(zm[x]) - c) + (static_cast<T>(zp[x]) - c));
    f[x] = static_cast<float>(rt * (along + across) - kt * c);
    negative |= o[x] < 0.0f ? 1u : 0u;
  }
  return negative;
}

bool is_fixed_face(const DouglasInput& in, Face f) {
  return in.faces[static_cast<std::size_t>(f)].kind == BoundaryKind::FixedValue;
}

double face_value(const DouglasInput& in, Face f) {
  return static_cast<double>(in.faces[static_cast<std::size_t>(f)].value);
}

}  // namespace

DouglasPlanes::DouglasPlanes(const Lattice& lattice)
    : lattice_(lattice), x_lanes_(x_tile_lanes(lattice.nx())) {
  const std::ptrdiff_t bx = (lattice.ny() + x_lanes_ - 1) / x_lanes_;
  const std::ptrdiff_t cy = (lattice.nx() + kLanes - 1) / kLanes;
  x_sums_.resize(static_cast<std::size_t>(bx * lattice.nz()));
  y_sums_.resize(static_cast<std::size_t>(cy * lattice.nz()));
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(lattice.nx()) * lattice.ny();
  commit_sums_.resize(
      static_cast<std::size_t>(lattice.is_2d() ? cy : (plane + kZLanes - 1) / kZLanes));
  const int dims[3] = {lattice.nx(), lattice.ny(), lattice.nz()};
  for (int a = 0; a < 3; ++a) {
    q_[a].resize(static_cast<std::size_t>(dims[a]));
    w_[a].resize(static_cast<std::size_t>(dims[a]));
  }
}

void DouglasPlanes::ensure_scratch() {
  const auto threads = static_cast<std::size_t>(std::max(1, omp_get_max_threads()));
  if (scratch_.size() >= threads) return;
  const auto nx = static_cast<std::size_t>(lattice_.nx());
  const auto ny = static_cast<std::size_t>(lattice_.ny());
  const auto nz = static_cast<std::size_t>(lattice_.nz());
  const std::size_t tile = nx * static_cast<std::size_t>(x_lanes_);
  scratch_.resize(threads);
  for (Scratch& s : scratch_) {
    s.tile.resize(tile);
    s.tile_extra.resize(tile);
    s.w.resize(std::max({tile, ny * kLanes, nz * kZLanes}));
    s.block.resize(std::max(ny * kLanes, nz * kZLanes));
    s.block_mask.resize(s.block.size());
    s.g.resize(std::max({x_lanes_, kLanes, kZLanes}));
  }
}

void DouglasPlanes::explicit_rows(const DouglasInput& in, std::ptrdiff_t first_row, int rows,
                                  float* out, XSums& sums) const {
  const int nx = lattice_.nx();
  const int ny = lattice_.ny();
  const int nz = lattice_.nz();
  const bool three_d = !lattice_.is_2d();
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(nx) * ny;
  const double r = in.r;
  const double k_dt = in.k_dt;
  const bool any_fixed_face = std::any_of(in.faces.begin(), in.faces.end(), [](const auto& fc) {
    return fc.kind == BoundaryKind::FixedValue;
  });
  for (std::ptrdiff_t row = first_row; row < first_row + rows; ++row) {
    const int y = static_cast<int>(row % ny);
    const int z = static_cast<int>(row / ny);
    const std::ptrdiff_t base = row * nx;
    const float* __restrict o = in.u + base;
    float* __restrict f = out + base;
    const std::uint8_t* m = in.mask != nullptr ? in.mask + base : nullptr;
    // Σ over neighbours of (u_n - u): a missing neighbour (no-flux side) reads the voxel
    // itself, so its difference is zero; fixed-value faces are added below. The interior
    // in float up to kFloatIncrementMaxR, the ends and faces in double.
    const float* __restrict ym = y > 0 ? o - nx : o;
    const float* __restrict yp = y < ny - 1 ? o + nx : o;
    const float* __restrict zm = three_d && z > 0 ? o - plane : o;
    const float* __restrict zp = three_d && z < nz - 1 ? o + plane : o;
    if (row + 2 < first_row + rows) {  // the next plane's rows and F's come from memory
      prefetch_lanes(zp + 2 * nx, nx, false);
      prefetch_lanes(f + 2 * nx, nx, true);
    }
    const auto across = [&](int x, double c) {
      return ((static_cast<double>(ym[x]) - c) + (static_cast<double>(yp[x]) - c)) +
             ((static_cast<double>(zm[x]) - c) + (static_cast<double>(zp[x]) - c));
    };
    double kept = sum_of(o, nx);
    unsigned negative = r <= kFloatIncrementMaxR
                            ? interior_increment<float>(o, ym, yp, zm, zp, nx, r, k_dt, f)
                            : interior_increment<double>(o, ym, yp, zm, zp, nx, r, k_dt, f);
    // The ends, and fixed-value faces: 2r (g - u) into each voxel on them.
    double boundary = 0.0;
    // Inlined, and the faces looked at only where some face is fixed-value: two voxels per
    // row, but called (as it was) it cost half as much as the row's interior.
    const auto end_value = [&](int x) __attribute__((always_inline)) {
      const double c = o[x];
      const double left = x > 0 ? static_cast<double>(o[x - 1]) - c : 0.0;
      const double right = x < nx - 1 ? static_cast<double>(o[x + 1]) - c : 0.0;
      double v = r * ((left + right) + across(x, c)) - k_dt * c;
      if (any_fixed_face) {
        const bool open = m == nullptr || m[x] == 0;
        const auto face = [&](Face fc, bool on) {
          if (!on || !is_fixed_face(in, fc)) return;
          const double flow = face_value(in, fc) - c;
          v += 2.0 * r * flow;
          if (open) boundary += flow;
        };
        face(Face::XLow, x == 0);
        face(Face::XHigh, x == nx - 1);
        face(Face::YLow, y == 0);
        face(Face::YHigh, y == ny - 1);
        face(Face::ZLow, three_d && z == 0);
        face(Face::ZHigh, three_d && z == nz - 1);
      }
      f[x] = static_cast<float>(v);
      negative |= o[x] < 0.0f ? 1u : 0u;
    };
    end_value(0);
    if (nx > 1) end_value(nx - 1);
    // Interior voxels of rows on y or z fixed-value faces.
    const auto face_row = [&](Face fc, bool on) {
      if (!on || !is_fixed_face(in, fc)) return;
      const double g = face_value(in, fc);
      for (int x = 1; x < nx - 1; ++x) {
        const double flow = g - static_cast<double>(o[x]);
        f[x] = static_cast<float>(static_cast<double>(f[x]) + 2.0 * r * flow);
        if (m == nullptr || m[x] == 0) boundary += flow;
      }
    };
    face_row(Face::YLow, y == 0);
    face_row(Face::YHigh, y == ny - 1);
    face_row(Face::ZLow, three_d && z == 0);
    face_row(Face::ZHigh, three_d && z == nz - 1);
    // Fixed voxels do not change (F = 0); each edge between a fixed and a non-fixed voxel
    // carries r (u_fixed - u_i) into the non-fixed one, visited from the fixed voxel.
    double fixed = 0.0;
    if (m != nullptr) {
      for_each_fixed(m, nx, [&](int x) {
        const double uf = o[x];
        f[x] = 0.0f;
        kept -= uf;
        for_each_face_neighbour(x, y, z, nx, ny, nz, [&](std::ptrdiff_t offset) {
          if (m[x + offset] == 0) fixed += uf - static_cast<double>(o[x + offset]);
        });
      });
    }
    sums.boundary += 2.0 * r * boundary;
    sums.fixed += r * fixed;
    sums.kept_u += kept;
    sums.negative = sums.negative || negative != 0;
  }
}

void DouglasPlanes::x_block(const DouglasInput& in, std::ptrdiff_t unit, float* out, Scratch& s) {
  const int nx = lattice_.nx();
  const int ny = lattice_.ny();
  const std::ptrdiff_t bx = (ny + x_lanes_ - 1) / x_lanes_;
  const std::ptrdiff_t z = unit / bx;
  const int y0 = static_cast<int>(unit % bx) * x_lanes_;
  const int lanes = std::min(x_lanes_, ny - y0);
  const std::ptrdiff_t first_row = z * ny + y0;
  const auto v0 = static_cast<VoxelIndex>(first_row * nx);
  const auto v1 = static_cast<VoxelIndex>((first_row + lanes) * nx);
  XSums& xs = x_sums_[static_cast<std::size_t>(unit)];
  xs = XSums{};
  explicit_rows(in, first_row, lanes, out, xs);

  // Point terms: secretion and uptake in F, uptake also on the x factor's diagonal.
  const VoxelTerm* tb = first_term_at_or_after(in, v0);
  const VoxelTerm* te = first_term_at_or_after(in, v1);
  bool extra = false;
  for (const VoxelTerm* t = tb; t != te; ++t) {
    const double ui = in.u[t->voxel];
    const double s_dt = in.dt * t->secretion_per_min;
    const double e = in.dt * t->uptake_per_min;
    out[t->voxel] = static_cast<float>(static_cast<double>(out[t->voxel]) + s_dt - e * ui);
    xs.secreted += s_dt;
    xs.taken_u += e * ui;
    extra = extra || e > 0.0;
  }

  // The tile's extra diagonal: dt*U at term voxels and kFixedDiagonal at fixed voxels,
  // whose rows (F = 0) then solve to a value below 1e-25 of their neighbours': the
  // Dirichlet zero of the exact identity row, without a transposed mask.
  const std::uint8_t* mask = in.mask;
  const bool masked = mask != nullptr && any_fixed(mask + v0, 0, static_cast<int>(v1 - v0), 1);
  float* tile = s.tile.data();
  transpose(out + v0, nx, lanes, nx, tile, lanes);
  const auto tile_at = [&](VoxelIndex v) {
    const auto local = static_cast<std::ptrdiff_t>(v - v0);
    return static_cast<std::size_t>((local % nx) * lanes + local / nx);
  };
  if (extra || masked) {
    std::fill(s.tile_extra.begin(), s.tile_extra.begin() + static_cast<std::ptrdiff_t>(nx) * lanes,
              0.0f);
    for (const VoxelTerm* t = tb; t != te; ++t)
      s.tile_extra[tile_at(t->voxel)] = static_cast<float>(in.dt * t->uptake_per_min);
    if (masked) {
      for_each_fixed(mask + v0, static_cast<int>(v1 - v0), [&](int local) {
        s.tile_extra[tile_at(v0 + static_cast<VoxelIndex>(local))] = kFixedDiagonal;
      });
    }
  }
  xs.stage = solve_block<float>(tile, nullptr, extra || masked ? s.tile_extra.data() : nullptr,
                                lanes, lanes, rows_[0], false, q_[0].data(), w_[0].data(),
                                s.w.data(), s.g.data(), nullptr);
  if (extra) {  // without uptake every term adds 0 (and tile_at divides)
    for (const VoxelTerm* t = tb; t != te; ++t) {
      xs.taken_d += in.dt * t->uptake_per_min * static_cast<double>(tile[tile_at(t->voxel)]);
    }
  }
  transpose(tile, lanes, nx, lanes, out + v0, nx);
  if (in.k_dt > 0.0) {
    // Σ d1 for the decay, row by row from the transposed result: a contiguous sum8 per
    // row, where summing the tile's lanes kept a running double per lane in memory.
    for (int l = 0; l < lanes; ++l)
      xs.stage.kept += sum_of(out + v0 + static_cast<std::ptrdiff_t>(l) * nx, nx);
  }
  if (masked) {
    // The x factor's fixed-voxel edges: r (x_fixed - x_i) along x (x_fixed is 0 but for
    // the penalty's rounding), and the fixed voxels left out of the kept sum.
    double fixed = 0.0, fixed_kept = 0.0;
    for (int l = 0; l < lanes; ++l) {
      const std::uint8_t* m = mask + v0 + static_cast<std::ptrdiff_t>(l) * nx;
      const float* d = out + v0 + static_cast<std::ptrdiff_t>(l) * nx;
      for_each_fixed(m, nx, [&](int x) {
        const double xf = d[x];
        fixed_kept += xf;
        if (x > 0 && m[x - 1] == 0) fixed += xf - static_cast<double>(d[x - 1]);
        if (x + 1 < nx && m[x + 1] == 0) fixed += xf - static_cast<double>(d[x + 1]);
      });
    }
    xs.stage.fixed += in.r * fixed;
    xs.stage.kept -= fixed_kept;
  }
}

namespace {

/// Planes ahead that the z pass prefetches: each plane's piece of a unit is its own
/// memory stream, which the hardware prefetchers pick up too late.
constexpr int kPrefetchAhead = 4;

/// Copies `lanes` lanes of n rows, `stride` apart in memory, into a contiguous block, and
/// their mask bytes when m is not null; returns whether any mask byte is set. Solving in
/// the block avoids the cache-set conflicts of power-of-two strides (a z-line of a 128^3
/// lattice steps 64 KiB), and the rows, far apart in memory, are prefetched. (The y factor
/// solves in place: its rows are one x-row apart, and a gathered copy made it slower.)
REGENSIM_KERNEL bool gather_block(const float* u, const std::uint8_t* m, std::ptrdiff_t stride,
                                  int lanes, int n, float* block, std::uint8_t* block_mask) {
  unsigned any = 0;
  for (int j = 0; j < n; ++j) {
    if (j + kPrefetchAhead < n) {
      prefetch_lanes(u + (j + kPrefetchAhead) * stride, lanes, false);
      if (m != nullptr) {
        for (int l = 0; l < lanes; l += 64)
          __builtin_prefetch(m + (j + kPrefetchAhead) * stride + l);
      }
    }
    const float* __restrict src = u + j * stride;
    float* __restrict dst = block + static_cast<std::ptrdiff_t>(j) * lanes;
    for (int l = 0; l < lanes; ++l) dst[l] = src[l];
    if (m != nullptr) {
      const std::uint8_t* __restrict msrc = m + j * stride;
      std::uint8_t* __restrict mdst = block_mask + static_cast<std::ptrdiff_t>(j) * lanes;
      for (int l = 0; l < lanes; ++l) {
        mdst[l] = msrc[l];
        any |= msrc[l];
      }
    }
  }
  return any != 0;
}

}  // namespace

StageSums DouglasPlanes::y_block(const DouglasInput& in, std::ptrdiff_t unit, float* out,
                                 Scratch& s) {
  const int nx = lattice_.nx();
  const int ny = lattice_.ny();
  const std::ptrdiff_t cy = (nx + kLanes - 1) / kLanes;
  const int x0 = static_cast<int>(unit % cy) * kLanes;
  const int lanes = std::min(kLanes, nx - x0);
  const std::ptrdiff_t base = (unit / cy) * nx * ny + x0;
  float* u = out + base;
  const std::uint8_t* m = in.mask != nullptr ? in.mask + base : nullptr;
  const bool masked = m != nullptr && any_fixed(m, nx, lanes, ny);
  return solve_block<float>(u, masked ? m : nullptr, nullptr, nx, lanes, rows_[1], false,
                            q_[1].data(), w_[1].data(), s.w.data(), s.g.data(), nullptr);
}

DouglasPlanes::CommitSums DouglasPlanes::commit_block(const DouglasInput& in, const Rows& p,
                                                      const float* q, const float* w, float* out,
                                                      std::ptrdiff_t base, std::ptrdiff_t stride,
                                                      int lanes, Scratch& s) const {
  float* block = s.block.data();
  const bool masked = gather_block(out + base, in.mask != nullptr ? in.mask + base : nullptr,
                                   stride, lanes, p.n, block, s.block_mask.data());
  const std::uint8_t* block_mask = masked ? s.block_mask.data() : nullptr;
  // u + d written as the backward sweep finishes each row, from the last plane down, while
  // the row is still in cache (fixed voxels keep their value exactly).
  unsigned negative = 0;
  const auto commit_row = [&](int j, const float* d_row) __attribute__((always_inline)) {
    if (j >= kPrefetchAhead) {
      prefetch_lanes(in.u + base + (j - kPrefetchAhead) * stride, lanes, false);
      prefetch_lanes(out + base + (j - kPrefetchAhead) * stride, lanes, true);
    }
    const float* __restrict u = in.u + base + j * stride;
    const float* __restrict d = d_row;
    float* __restrict o = out + base + j * stride;
    for (int l = 0; l < lanes; ++l) {
      const float v = u[l] + d[l];
      o[l] = v;
      negative |= v < 0.0f ? 1u : 0u;
    }
    if (masked) {
      for_each_fixed(block_mask + static_cast<std::ptrdiff_t>(j) * lanes, lanes,
                     [&](int l) { o[l] = u[l]; });
    }
  };
  CommitSums cs;
  cs.stage = solve_block<float>(block, block_mask, nullptr, lanes, lanes, p, false, q, w,
                                s.w.data(), s.g.data(), nullptr, commit_row);
  cs.negative = negative != 0;
  return cs;
}

DouglasResult DouglasPlanes::step(const DouglasInput& in, float* out) {
  assert(in.u != out);
  ensure_scratch();
  const int dims[3] = {lattice_.nx(), lattice_.ny(), lattice_.nz()};
  for (int a = 0; a < 3; ++a) {
    Rows& p = rows_[a];
    p.r = in.r;
    p.s_base = 1.0 + (a == 0 ? in.k_dt : 0.0);
    p.low_fixed = in.faces[static_cast<std::size_t>(2 * a)].kind == BoundaryKind::FixedValue;
    p.high_fixed = in.faces[static_cast<std::size_t>(2 * a + 1)].kind == BoundaryKind::FixedValue;
    p.g_low = p.g_high = 0.0;  // the factors act on increments: homogeneous faces
    p.n = dims[a];
    factorise<float>(p, q_[a].data(), w_[a].data());
  }
  const int nx = dims[0], ny = dims[1], nz = dims[2];
  const std::ptrdiff_t bx = (ny + x_lanes_ - 1) / x_lanes_;
  const std::ptrdiff_t cy = (nx + kLanes - 1) / kLanes;
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(nx) * ny;
  const bool three_d = !lattice_.is_2d();
  std::ptrdiff_t commit_units = 0;
  if (!three_d) {
#pragma omp parallel for schedule(static) if (bx > 1)
    for (std::ptrdiff_t unit = 0; unit < bx; ++unit)
      x_block(in, unit, out, scratch_[static_cast<std::size_t>(omp_get_thread_num())]);
    commit_units = cy;
#pragma omp parallel for schedule(static) if (cy > 1)
    for (std::ptrdiff_t unit = 0; unit < cy; ++unit) {
      const int x0 = static_cast<int>(unit) * kLanes;
      commit_sums_[static_cast<std::size_t>(unit)] = commit_block(
          in, rows_[1], q_[1].data(), w_[1].data(), out, x0, nx, std::min(kLanes, nx - x0),
          scratch_[static_cast<std::size_t>(omp_get_thread_num())]);
    }
  } else {
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t z = 0; z < nz; ++z) {
      Scratch& s = scratch_[static_cast<std::size_t>(omp_get_thread_num())];
      for (std::ptrdiff_t b = 0; b < bx; ++b) x_block(in, z * bx + b, out, s);
      for (std::ptrdiff_t c = 0; c < cy; ++c)
        y_sums_[static_cast<std::size_t>(z * cy + c)] = y_block(in, z * cy + c, out, s);
    }
    commit_units = (plane + kZLanes - 1) / kZLanes;
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t unit = 0; unit < commit_units; ++unit) {
      const std::ptrdiff_t first = unit * kZLanes;
      commit_sums_[static_cast<std::size_t>(unit)] =
          commit_block(in, rows_[2], q_[2].data(), w_[2].data(), out, first, plane,
                       static_cast<int>(std::min<std::ptrdiff_t>(kZLanes, plane - first)),
                       scratch_[static_cast<std::size_t>(omp_get_thread_num())]);
    }
  }

  // Sums in unit order (see implicit_lod.cpp for the bookkeeping).
  DouglasResult res;
  FieldBalance& b = res.balance;
  double kept = 0.0;
  for (std::ptrdiff_t unit = 0; unit < bx * nz; ++unit) {
    const XSums& xs = x_sums_[static_cast<std::size_t>(unit)];
    b.boundary_in += xs.boundary + xs.stage.boundary;
    b.fixed_in += xs.fixed + xs.stage.fixed;
    kept += xs.kept_u + xs.stage.kept;
    b.secreted += xs.secreted;
    b.taken_up += xs.taken_u + xs.taken_d;
    res.negative_input = res.negative_input || xs.negative;
  }
  b.decayed = in.k_dt * kept;
  if (three_d) {
    for (std::ptrdiff_t unit = 0; unit < cy * nz; ++unit) {
      b.boundary_in += y_sums_[static_cast<std::size_t>(unit)].boundary;
      b.fixed_in += y_sums_[static_cast<std::size_t>(unit)].fixed;
    }
  }
  for (std::ptrdiff_t unit = 0; unit < commit_units; ++unit) {
    const CommitSums& cs = commit_sums_[static_cast<std::size_t>(unit)];
    b.boundary_in += cs.stage.boundary;
    b.fixed_in += cs.stage.fixed;
    res.negative_output = res.negative_output || cs.negative;
  }
  return res;
}

}  // namespace regensim::sim::detail
