#pragma once
/// Row kernels of the quasi-steady operator, internal to sim/solver (steady_state.cpp and
/// multigrid.cpp): (A v)_i = diag_i v_i - c Σ_{inside neighbours j} v_j along one lattice
/// row, with v zero at fixed voxels so that they drop out of the couplings.
#include <cstddef>
#include <vector>

#include "sim/core/lattice.hpp"
#include "sim/solver/thomas.hpp"

namespace regensim::sim::detail {

/// Σ a_i b_i (w_i) over a row in double (sum8: a fixed order, identical for any thread
/// count).
template <bool kWeighted>
REGENSIM_KERNEL double dot_row(const float* __restrict a, const float* __restrict b,
                               const float* __restrict w, int n) {
  return sum8(n, [&](int i) {
    const double ab = static_cast<double>(a[i]) * static_cast<double>(b[i]);
    if constexpr (kWeighted) {
      return ab * static_cast<double>(w[i]);
    } else {
      return ab;
    }
  });
}

/// Σ of per-row sums, added in row order (the same for any thread count).
inline double sum_in_order(const std::vector<double>& row_sums) {
  double s = 0.0;
  for (const double v : row_sums) s += v;
  return s;
}

/// The row's neighbour rows in y and z, or `zeros` where the lattice ends (no coupling).
struct RowNeighbours {
  const float *ym, *yp, *zm, *zp;
};

inline RowNeighbours neighbours(const Lattice& lat, const float* v, std::ptrdiff_t row,
                                const float* zeros) {
  const int nx = lat.nx(), ny = lat.ny(), nz = lat.nz();
  const auto y = static_cast<int>(row % ny);
  const auto z = static_cast<int>(row / ny);
  const std::ptrdiff_t base = row * nx;
  const std::ptrdiff_t plane = static_cast<std::ptrdiff_t>(nx) * ny;
  return {y > 0 ? v + base - nx : zeros, y < ny - 1 ? v + base + nx : zeros,
          z > 0 ? v + base - plane : zeros, z < nz - 1 ? v + base + plane : zeros};
}

/// out = diag v - c (Σ inside neighbours of v) along one row of n voxels.
REGENSIM_KERNEL void apply_row(const float* __restrict v, const RowNeighbours& nb,
                               const float* __restrict d, float c, int n, float* __restrict out) {
  const auto across = [&](int x) { return (nb.ym[x] + nb.yp[x]) + (nb.zm[x] + nb.zp[x]); };
  if (n == 1) {
    out[0] = d[0] * v[0] - c * across(0);
    return;
  }
  out[0] = d[0] * v[0] - c * (v[1] + across(0));
  for (int x = 1; x < n - 1; ++x) out[x] = d[x] * v[x] - c * ((v[x - 1] + v[x + 1]) + across(x));
  out[n - 1] = d[n - 1] * v[n - 1] - c * (v[n - 2] + across(n - 1));
}

}  // namespace regensim::sim::detail
