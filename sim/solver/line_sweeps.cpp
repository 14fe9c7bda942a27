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

/// Solves one block of lines in place with the scratch of one thread.
StageSums solve_block(double* u, const std::uint8_t* m, const double* ex, std::ptrdiff_t stride,
                      int lanes, const Rows& p, bool want_kept, const double* q, const double* w,
                      AxisSolver::Scratch& s) {
  return detail::solve_block<double>(u, m, ex, stride, lanes, p, want_kept, q, w, s.w.data(),
                                     s.g.data(), s.acc.data());
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
  if (mask == nullptr && extra == nullptr) factorise<double>(p, q, w);

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
  for (std::ptrdiff_t k = 0; k < units; ++k) total += sums[k];
  return total;
}

}  // namespace regensim::sim::detail
