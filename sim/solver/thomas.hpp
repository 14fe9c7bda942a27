#pragma once
/// Tridiagonal (Thomas) kernels that solve many grid lines at once, internal to
/// sim/solver. Element j of lane l of a block is u[j*stride + l]: the recurrence runs
/// along j and the inner loop over lanes vectorises. T is the stored type (float for the
/// fast Douglas step, double for the positive fallback); pivots are formed in T.
///
/// The kernels are always inlined, so that callers compiled for several instruction sets
/// (douglas_planes.cpp) get a version of each for every set.
///
/// The elimination is the Thomas algorithm written on the diagonal excess
/// e_j = pivot_j - c_j = s_j + a_j * e_{j-1} / pivot_{j-1}, the form used by GTH-type
/// solvers for M-matrices: it only adds, multiplies and divides non-negative numbers, so
/// every pivot keeps full relative precision even when r is in the thousands (the textbook
/// pivot b_j - a_j*c'_{j-1} cancels there), and non-negative data stay non-negative.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "sim/core/sum8.hpp"

#define REGENSIM_KERNEL [[gnu::always_inline]] inline
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(REGENSIM_NO_ISA_CLONES)
#define REGENSIM_ISA_CLONES [[gnu::target_clones("avx512f", "avx2", "default")]]
#else
#define REGENSIM_ISA_CLONES
#endif

namespace regensim::sim::detail {

/// The coefficients of one stage along a line of n voxels. Row j (fixed voxels aside):
///   -a_j x_{j-1} + (s_j + e_j + a_j + c_j) x_j - c_j x_{j+1} = d_j + add_j
/// with a_j = r (0 at j = 0), c_j = r (0 at j = n-1), s_j = s_base plus 2r at an end on a
/// fixed-value face (where add_j = 2r*g) and e_j an optional per-voxel extra diagonal.
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

/// The factors shared by every line without fixed voxels or extra diagonal:
/// q_j = 1/pivot_j and w_j = c_j/pivot_j, so that y_j = (d_j + add_j + a_j y_{j-1}) q_j and
/// x_j = y_j + w_j x_{j+1}. Formed in double, stored as T.
template <class T>
REGENSIM_KERNEL void factorise(const Rows& p, T* q, T* w) {
  double g = 0.0;  // e_{j-1} / pivot_{j-1}
  for (int j = 0; j < p.n; ++j) {
    const double e = p.s(j) + p.a(j) * g;
    const double inv = 1.0 / (e + p.c(j));
    q[j] = static_cast<T>(inv);
    w[j] = static_cast<T>(p.c(j) * inv);
    g = e * inv;
  }
}

/// What the solves below call with each row as it becomes final (j = n-1 down to 0), once
/// per row: by default nothing; a caller can consume the row while it is in cache. The
/// solve still reads u, the mask, the extra diagonal and its scratch through restrict
/// pointers, so a visitor must not write any of them (commit_block writes the output
/// lattice, which is not the block being solved).
struct NoRowVisit {
  template <class T>
  void operator()(int, const T*) const {}
};

/// 64 bytes of T as one vector (the attribute cannot take a dependent type).
template <class T>
struct Vec64;
template <>
struct Vec64<float> {
  using type = float __attribute__((vector_size(64)));
};
template <>
struct Vec64<double> {
  using type = double __attribute__((vector_size(64)));
};

/// solve_plain for exactly K lanes, with the previous row held in registers: read back
/// from memory, each row waited on the store of the one before (store-to-load forwarding
/// in the recurrence's chain, about twice the arithmetic's latency), which bounds the
/// step where a row has only two or four vectors of lanes (the x tiles, the y blocks).
/// The same operations in the same order per lane as solve_plain: the same bits.
template <class T, int K, class Visit>
REGENSIM_KERNEL void solve_plain_held(T* u, std::ptrdiff_t stride, const Rows& p, const T* q,
                                      const T* w, Visit&& visit) {
  using V = typename Vec64<T>::type;
  constexpr int kPer = static_cast<int>(64 / sizeof(T));
  constexpr int kVecs = K / kPer;
  static_assert(K % kPer == 0);
  const int n = p.n;
  const T r = static_cast<T>(p.r);
  // Loads and stores through memcpy (no aliasing assumptions; a lambda returning V would
  // change the ABI between the instruction-set clones).
  V held[kVecs], x;
  {
    const T add = static_cast<T>(p.add(0)), q0 = q[0];
    for (int v = 0; v < kVecs; ++v) {
      std::memcpy(&x, u + v * kPer, sizeof(V));
      held[v] = (x + add) * q0;
      std::memcpy(u + v * kPer, &held[v], sizeof(V));
    }
  }
  for (int j = 1; j < n; ++j) {
    T* row = u + j * stride;
    const T add = static_cast<T>(p.add(j)), qj = q[j];
    for (int v = 0; v < kVecs; ++v) {
      std::memcpy(&x, row + v * kPer, sizeof(V));
      held[v] = (x + add + r * held[v]) * qj;
      std::memcpy(row + v * kPer, &held[v], sizeof(V));
    }
  }
  visit(n - 1, static_cast<const T*>(u + (n - 1) * stride));
  for (int j = n - 2; j >= 0; --j) {
    T* row = u + j * stride;
    const T wj = w[j];
    for (int v = 0; v < kVecs; ++v) {
      std::memcpy(&x, row + v * kPer, sizeof(V));
      held[v] = x + wj * held[v];
      std::memcpy(row + v * kPer, &held[v], sizeof(V));
    }
    visit(j, static_cast<const T*>(row));
  }
}

/// Solves `lanes` lines without fixed voxels or extra diagonal in place; q and w from
/// factorise().
template <class T, class Visit = NoRowVisit>
REGENSIM_KERNEL void solve_plain(T* u, std::ptrdiff_t stride, int lanes, const Rows& p, const T* q,
                                 const T* w, Visit&& visit = {}) {
  if (lanes == 32) {
    solve_plain_held<T, 32>(u, stride, p, q, w, visit);
    return;
  }
  if (lanes == 64) {
    solve_plain_held<T, 64>(u, stride, p, q, w, visit);
    return;
  }
  const int n = p.n;
  const T r = static_cast<T>(p.r);
  {
    T* __restrict row = u;
    const T add = static_cast<T>(p.add(0)), q0 = q[0];
    for (int l = 0; l < lanes; ++l) row[l] = (row[l] + add) * q0;
  }
  for (int j = 1; j < n; ++j) {
    const T* __restrict prev = u + (j - 1) * stride;
    T* __restrict row = u + j * stride;
    const T add = static_cast<T>(p.add(j)), qj = q[j];
    for (int l = 0; l < lanes; ++l) row[l] = (row[l] + add + r * prev[l]) * qj;
  }
  visit(n - 1, static_cast<const T*>(u + (n - 1) * stride));
  for (int j = n - 2; j >= 0; --j) {
    T* __restrict row = u + j * stride;
    const T* __restrict next = u + (j + 1) * stride;
    const T wj = w[j];
    for (int l = 0; l < lanes; ++l) row[l] += wj * next[l];
    visit(j, static_cast<const T*>(row));
  }
}

/// As solve_plain for lines with fixed voxels (mask m, identity rows) and/or a per-voxel
/// extra diagonal (ex), both in the layout of u: the factors differ per lane. w holds
/// n*lanes and g lanes values of scratch.
template <class T, bool kMask, bool kExtra, class Visit = NoRowVisit>
REGENSIM_KERNEL void solve_general(T* u, const std::uint8_t* m, const T* ex, std::ptrdiff_t stride,
                                   int lanes, const Rows& p, T* w, T* g_in, Visit&& visit = {}) {
  const int n = p.n;
  T* __restrict g = g_in;
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
      return T(0);
    }
  };
  const T one(1), zero(0);
  {
    T* __restrict row = u;
    T* __restrict w0 = w;
    const T c0 = static_cast<T>(p.c(0)), s0 = static_cast<T>(p.s(0));
    const T add = static_cast<T>(p.add(0));
    for (int l = 0; l < lanes; ++l) {
      const bool f = fixed_at(l);
      // Both rows' values are formed in every lane and then selected: a branch-free loop
      // (GCC does not speculate floating-point operations written under a condition).
      const T x = row[l], e_open = s0 + extra_at(l), d_open = x + add;
      const T c = f ? zero : c0;
      const T e = f ? one : e_open;
      const T d = f ? x : d_open;
      const T inv = one / (e + c);
      row[l] = d * inv;
      w0[l] = c * inv;
      g[l] = e * inv;
    }
  }
  for (int j = 1; j < n; ++j) {
    const std::ptrdiff_t off = j * stride;
    T* __restrict row = u + off;
    const T* __restrict prev = row - stride;
    T* __restrict wj = w + static_cast<std::ptrdiff_t>(j) * lanes;
    const T a0 = static_cast<T>(p.a(j)), c0 = static_cast<T>(p.c(j));
    const T s0 = static_cast<T>(p.s(j)), add = static_cast<T>(p.add(j));
    for (int l = 0; l < lanes; ++l) {
      const bool f = fixed_at(off + l);
      const T x = row[l], x_prev = prev[l];
      const T e_open = s0 + extra_at(off + l) + a0 * g[l], d_open = x + add + a0 * x_prev;
      const T c = f ? zero : c0;
      const T e = f ? one : e_open;
      const T inv = one / (e + c);
      row[l] = (f ? x : d_open) * inv;
      wj[l] = c * inv;
      g[l] = e * inv;
    }
  }
  visit(n - 1, static_cast<const T*>(u + (n - 1) * stride));
  for (int j = n - 2; j >= 0; --j) {
    T* __restrict row = u + j * stride;
    const T* __restrict next = row + stride;
    const T* __restrict wj = w + static_cast<std::ptrdiff_t>(j) * lanes;
    for (int l = 0; l < lanes; ++l) row[l] += wj[l] * next[l];
    visit(j, static_cast<const T*>(row));
  }
}

/// Calls visit(i) for each i in [0, n) with m[i] != 0, skipping zero bytes a word at a
/// time (fixed voxels are few: vessels).
template <class Visit>
REGENSIM_KERNEL void for_each_fixed(const std::uint8_t* m, int n, Visit&& visit) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, m + i, 8);
    if (word == 0) continue;
    for (int k = i; k < i + 8; ++k) {
      if (m[k] != 0) visit(k);
    }
  }
  for (; i < n; ++i) {
    if (m[i] != 0) visit(i);
  }
}

/// Whether any of `lanes` lanes of n rows (layout of u) is a fixed voxel.
REGENSIM_KERNEL bool any_fixed(const std::uint8_t* m, std::ptrdiff_t stride, int lanes, int n) {
  unsigned any = 0;
  for (int j = 0; j < n; ++j) {
    const std::uint8_t* __restrict row = m + j * stride;
    for (int l = 0; l < lanes; ++l) any |= row[l];
  }
  return any != 0;
}

/// What the lines of one solved block gained, with x the new values (see line_sweeps.hpp):
/// boundary = Σ 2r(g - x_end) over non-fixed end voxels on fixed-value faces;
/// fixed = Σ r(x_fixed - x_i) over line edges between a fixed and a non-fixed voxel;
/// kept = Σ x over non-fixed voxels (when asked). acc holds `lanes` values of scratch.
struct StageSums {
  double boundary = 0.0;
  double fixed = 0.0;
  double kept = 0.0;
  StageSums& operator+=(const StageSums& o) {
    boundary += o.boundary;
    fixed += o.fixed;
    kept += o.kept;
    return *this;
  }
};

template <class T, bool kMask>
REGENSIM_KERNEL StageSums line_sums(const T* u, const std::uint8_t* m, std::ptrdiff_t stride,
                                    int lanes, const Rows& p, bool want_kept, double* acc_in) {
  StageSums out;
  double* __restrict acc = acc_in;
  const auto face = [&](int j, double gv) {
    const T* row = u + j * stride;
    double sum = 0.0;
    for (int l = 0; l < lanes; ++l) {
      if constexpr (kMask) {
        if (m[j * stride + l] != 0) continue;
      }
      sum += gv - static_cast<double>(row[l]);
    }
    return 2.0 * p.r * sum;
  };
  if (p.low_fixed) out.boundary += face(0, p.g_low);
  if (p.high_fixed) out.boundary += face(p.n - 1, p.g_high);
  if constexpr (kMask) {
    // Fixed voxels are few (vessels): visit the edges from them.
    double sum = 0.0;
    for (int j = 0; j < p.n; ++j) {
      const std::uint8_t* mrow = m + j * stride;
      for_each_fixed(mrow, lanes, [&](int l) {
        const double xf = static_cast<double>(u[j * stride + l]);
        if (j > 0 && mrow[l - stride] == 0)
          sum += xf - static_cast<double>(u[(j - 1) * stride + l]);
        if (j + 1 < p.n && mrow[l + stride] == 0)
          sum += xf - static_cast<double>(u[(j + 1) * stride + l]);
      });
    }
    out.fixed = p.r * sum;
  }
  if (want_kept) {
    std::fill(acc, acc + lanes, 0.0);
    for (int j = 0; j < p.n; ++j) {
      const T* __restrict row = u + j * stride;
      for (int l = 0; l < lanes; ++l) {
        const double v = static_cast<double>(row[l]);
        if constexpr (kMask) {
          acc[l] += m[j * stride + l] != 0 ? 0.0 : v;
        } else {
          acc[l] += v;
        }
      }
    }
    double sum = 0.0;
    for (int l = 0; l < lanes; ++l) sum += acc[l];
    out.kept = sum;
  }
  return out;
}

/// Solves one block of lines in place (mask and extra may be null) and returns its sums.
/// q and w: shared factors for the plain case; w_scratch (n*lanes), g and acc (lanes; acc
/// only read when want_kept, else it may be null).
/// `visit` sees each row as it becomes final (see NoRowVisit).
template <class T, class Visit = NoRowVisit>
REGENSIM_KERNEL StageSums solve_block(T* u, const std::uint8_t* m, const T* ex,
                                      std::ptrdiff_t stride, int lanes, const Rows& p,
                                      bool want_kept, const T* q, const T* w, T* w_scratch, T* g,
                                      double* acc, Visit&& visit = {}) {
  if (m != nullptr) {
    if (ex != nullptr) {
      solve_general<T, true, true>(u, m, ex, stride, lanes, p, w_scratch, g, visit);
    } else {
      solve_general<T, true, false>(u, m, ex, stride, lanes, p, w_scratch, g, visit);
    }
    return line_sums<T, true>(u, m, stride, lanes, p, want_kept, acc);
  }
  if (ex != nullptr) {
    solve_general<T, false, true>(u, m, ex, stride, lanes, p, w_scratch, g, visit);
  } else {
    solve_plain<T>(u, stride, lanes, p, q, w, visit);
  }
  return line_sums<T, false>(u, m, stride, lanes, p, want_kept, acc);
}

}  // namespace regensim::sim::detail
