#pragma once
/// Tile transposes for the solvers' x-line kernels, internal to sim/solver: x-lines are
/// contiguous, so the kernels that vectorise across lines transpose a tile of them first.
/// Always inlined, so that callers compiled for several instruction sets get a version
/// for each; pure data movement, the same bits on every set.
#include <cstddef>
#include <cstring>

#include "sim/solver/thomas.hpp"  // REGENSIM_KERNEL

namespace regensim::sim::detail {

using Vec8 = float __attribute__((vector_size(32)));
using Mask8 = int __attribute__((vector_size(32)));

/// Transposes one 8 x 8 block in registers: three rounds of two-input shuffles (the
/// unpack / shuffle / 128-bit permute pattern), which each instruction-set clone lowers to
/// its own instructions. Pure data movement: the same bits on every set.
REGENSIM_KERNEL void transpose8x8(const float* __restrict src, std::ptrdiff_t src_stride,
                                  float* __restrict dst, std::ptrdiff_t dst_stride) {
  Vec8 r[8], t[8], u[8];
  for (int i = 0; i < 8; ++i) std::memcpy(&r[i], src + i * src_stride, sizeof(Vec8));
  for (int i = 0; i < 8; i += 2) {
    t[i] = __builtin_shuffle(r[i], r[i + 1], Mask8{0, 8, 1, 9, 4, 12, 5, 13});
    t[i + 1] = __builtin_shuffle(r[i], r[i + 1], Mask8{2, 10, 3, 11, 6, 14, 7, 15});
  }
  for (int i = 0; i < 8; i += 4) {
    for (int j = 0; j < 2; ++j) {
      u[i + 2 * j] = __builtin_shuffle(t[i + j], t[i + j + 2], Mask8{0, 1, 8, 9, 4, 5, 12, 13});
      u[i + 2 * j + 1] =
          __builtin_shuffle(t[i + j], t[i + j + 2], Mask8{2, 3, 10, 11, 6, 7, 14, 15});
    }
  }
  for (int c = 0; c < 4; ++c) {
    const Vec8 low = __builtin_shuffle(u[c], u[c + 4], Mask8{0, 1, 2, 3, 8, 9, 10, 11});
    const Vec8 high = __builtin_shuffle(u[c], u[c + 4], Mask8{4, 5, 6, 7, 12, 13, 14, 15});
    std::memcpy(dst + c * dst_stride, &low, sizeof(Vec8));
    std::memcpy(dst + (c + 4) * dst_stride, &high, sizeof(Vec8));
  }
}

/// dst[c * dst_stride + r] = src[r * src_stride + c] for r < rows, c < cols, in 8 x 8
/// sub-blocks so that reads and writes both stay within a few cache lines.
REGENSIM_KERNEL void transpose(const float* __restrict src, std::ptrdiff_t src_stride, int rows,
                               int cols, float* __restrict dst, std::ptrdiff_t dst_stride) {
  constexpr int kB = 8;
  int r0 = 0;
  for (; r0 + kB <= rows; r0 += kB) {
    int c0 = 0;
    for (; c0 + kB <= cols; c0 += kB) {
      transpose8x8(src + r0 * src_stride + c0, src_stride, dst + c0 * dst_stride + r0, dst_stride);
    }
    for (int r = r0; r < r0 + kB; ++r) {
      for (int c = c0; c < cols; ++c) dst[c * dst_stride + r] = src[r * src_stride + c];
    }
  }
  for (int r = r0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) dst[c * dst_stride + r] = src[r * src_stride + c];
  }
}

}  // namespace regensim::sim::detail
