#pragma once
/// The cosine transform (DCT-II) of grid lines and its inverse, 32 lines at a time,
/// internal to sim/solver (the exact step of spectral_step.hpp).
///
/// X_k = Σ_i x_i cos(π k (2i + 1) / (2n)), k < n, diagonalises the cell-centred
/// second difference with no-flux ends. Makhoul's algorithm computes it with one complex
/// FFT of length n on the reordered line v_m = x_{2m}, v_{n-1-m} = x_{2m+1}
/// (X_k = Re(e^{-iπk/(2n)} V_k)), and two real lines share one complex FFT (one as the real
/// part, one as the imaginary part). The FFT is a mixed-radix Stockham transform (radices
/// 4, 2, 3, 5 written out, any other factor by its direct sum), every element a vector of
/// kDctLanes independent lines, so each operation vectorises across lines.
///
/// A block holds element j of lane l of the first line set in re[j][l] and of the second
/// in im[j][l]; forward() expects element i of each line at slot(i) and leaves X_k at
/// index k, inverse() takes X_k at index k and leaves n times the line at slot(i).
/// The kernels are always inlined, so that callers compiled for several instruction sets
/// get a version for each; floating-point contraction is off, so every version gives the
/// same bits.
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include "sim/solver/thomas.hpp"  // REGENSIM_KERNEL

namespace regensim::sim::detail {

inline constexpr int kDctLanes = 16;
/// Prime factors up to this have written-out radices or cheap direct sums; a side with a
/// larger one makes the exact step slower than the Douglas sub-steps it replaces
/// (exact_step_obstacle).
inline constexpr int kDctLargestFastPrime = 13;
// Aligned to its size explicitly: a vector type's default alignment depends on the
// instruction set a unit is compiled for (16 bytes in the baseline, 64 in the AVX-512 clone
// that reads it with aligned loads).
using DctVec = float __attribute__((vector_size(64), aligned(64)));
static_assert(sizeof(DctVec) == kDctLanes * sizeof(float) && alignof(DctVec) == 64);

/// n vectors of aligned storage (a std::vector<DctVec> would lose the alignment: attributes
/// do not survive template arguments).
class DctBuffer {
 public:
  explicit DctBuffer(std::size_t n = 0) : storage_((n + 1) * kDctLanes, 0.0f) {
    void* p = storage_.data();
    std::size_t space = storage_.size() * sizeof(float);
    data_ = static_cast<DctVec*>(std::align(alignof(DctVec), n * sizeof(DctVec), p, space));
  }
  DctBuffer(const DctBuffer&) = delete;  // data_ points into storage_
  DctBuffer& operator=(const DctBuffer&) = delete;
  DctBuffer(DctBuffer&&) noexcept = default;  // a moved vector keeps its buffer
  DctBuffer& operator=(DctBuffer&&) noexcept = default;
  DctVec* data() { return data_; }

 private:
  std::vector<float> storage_;
  DctVec* data_ = nullptr;
};

class LineDct {
 public:
  /// A transform of lines of n >= 1 elements.
  explicit LineDct(int n);

  int size() const { return n_; }
  /// The largest prime factor of n >= 1 (1 for n = 1).
  static int largest_prime_factor(int n);
  /// Where forward() expects, and inverse() leaves, element i of a line.
  int slot(int i) const { return slots_[static_cast<std::size_t>(i)]; }

  /// Unnormalised DCT-II of both line sets, in place; `work_re`, `work_im` hold n vectors.
  REGENSIM_KERNEL void forward(DctVec* re, DctVec* im, DctVec* work_re, DctVec* work_im) const {
    // With an odd number of stages the FFT ends in the work space, and the split below
    // reads it from there (no copy back).
    fft(re, im, work_re, work_im);
    const bool in_work = stages_.size() % 2 == 1;
    const DctVec* z_re = in_work ? work_re : re;
    const DctVec* z_im = in_work ? work_im : im;
    // Split the packed spectra and rotate: for the pair k, n - k (h = cos/2, s = sin/2 of
    // πk/(2n)), X_k = h (Z_k + Z_{n-k})_re + s (Z_k - Z_{n-k})_im and so on. Each pair is
    // read before it is written, so this works in place too.
    const int n = n_;
    re[0] = z_re[0];
    im[0] = z_im[0];
    for (int k = 1; 2 * k < n; ++k) {
      const float hc = half_cos_[static_cast<std::size_t>(k)];
      const float hs = half_sin_[static_cast<std::size_t>(k)];
      const DctVec sr = z_re[k] + z_re[n - k], dr = z_re[k] - z_re[n - k];
      const DctVec si = z_im[k] + z_im[n - k], di = z_im[k] - z_im[n - k];
      re[k] = hc * sr + hs * di;
      im[k] = hc * si - hs * dr;
      re[n - k] = hs * sr - hc * di;
      im[n - k] = hs * si + hc * dr;
    }
    if (n % 2 == 0 && n > 1) {
      const float c = 2.0f * half_cos_[static_cast<std::size_t>(n / 2)];
      re[n / 2] = c * z_re[n / 2];
      im[n / 2] = c * z_im[n / 2];
    }
  }

  /// n times the inverse of forward(), in place; `work_re`, `work_im` hold n vectors.
  REGENSIM_KERNEL void inverse(DctVec* re, DctVec* im, DctVec* work_re, DctVec* work_im) const {
    // Rebuild the packed spectrum Z_k = V_k + i W_k with V_k = e^{iπk/(2n)} (X_k - i X_{n-k}),
    // X_n = 0, from both line sets, then z = conj(FFT(conj Z)) with re and im swapped. With
    // an odd number of stages Z is built in the work space, so the FFT ends in re, im.
    const bool to_work = stages_.size() % 2 == 1;
    DctVec* z_re = to_work ? work_re : re;
    DctVec* z_im = to_work ? work_im : im;
    const int n = n_;
    z_re[0] = re[0];
    z_im[0] = im[0];
    for (int k = 1; 2 * k < n; ++k) {
      const float c = 2.0f * half_cos_[static_cast<std::size_t>(k)];
      const float s = 2.0f * half_sin_[static_cast<std::size_t>(k)];
      const DctVec a = re[k], a_mirror = re[n - k], b = im[k], b_mirror = im[n - k];
      z_re[k] = c * a + s * a_mirror - s * b + c * b_mirror;
      z_im[k] = s * a - c * a_mirror + c * b + s * b_mirror;
      z_re[n - k] = s * a_mirror + c * a - c * b_mirror + s * b;
      z_im[n - k] = c * a_mirror - s * a + s * b_mirror + c * b;
    }
    if (n % 2 == 0 && n > 1) {
      const float c = 4.0f * half_cos_[static_cast<std::size_t>(n / 2)];  // √2
      z_re[n / 2] = c * re[n / 2];
      z_im[n / 2] = c * im[n / 2];
    }
    // One call site: the kernels are inlined, and two copies cost instruction cache.
    fft(to_work ? work_im : im, to_work ? work_re : re, to_work ? im : work_im,
        to_work ? re : work_re);
  }

 private:
  struct Stage {
    int radix = 1, m = 1, stride = 1;
    std::vector<float> tw_re, tw_im;      // [j * radix + t]: e^{-2πi j t / (radix m)}
    std::vector<float> root_re, root_im;  // [a]: e^{-2πi a / radix}, for radix_any
  };

  /// Complex FFT of length n (e^{-2πi jk/n}) of x, ping-ponging between x and y: the
  /// result is in x after an even number of stages, in y after an odd one.
  REGENSIM_KERNEL void fft(DctVec* x_re, DctVec* x_im, DctVec* y_re, DctVec* y_im) const {
    for (const Stage& st : stages_) {
      switch (st.radix) {
        case 2:
          radix2(st, x_re, x_im, y_re, y_im);
          break;
        case 3:
          radix3(st, x_re, x_im, y_re, y_im);
          break;
        case 4:
          radix4(st, x_re, x_im, y_re, y_im);
          break;
        case 5:
          radix5(st, x_re, x_im, y_re, y_im);
          break;
        default:
          radix_any(st, x_re, x_im, y_re, y_im);
          break;
      }
      std::swap(x_re, y_re);
      std::swap(x_im, y_im);
    }
  }

  /// Output t of butterfly j, times its twiddle, stored at y[o].
  REGENSIM_KERNEL static void store(const Stage& st, int j, int t, const DctVec& r, const DctVec& i,
                                    DctVec* y_re, DctVec* y_im, int o) {
    if (st.m == 1 || t == 0) {
      y_re[o] = r;
      y_im[o] = i;
      return;
    }
    const float wr = st.tw_re[static_cast<std::size_t>(j * st.radix + t)];
    const float wi = st.tw_im[static_cast<std::size_t>(j * st.radix + t)];
    y_re[o] = r * wr - i * wi;
    y_im[o] = r * wi + i * wr;
  }

  // Stockham stage: y[q + s(p j + t)] = w^{jt} Σ_a x[q + s(j + a m)] e^{-2πi a t / p}.
  REGENSIM_KERNEL static void radix2(const Stage& st, const DctVec* x_re, const DctVec* x_im,
                                     DctVec* y_re, DctVec* y_im) {
    const int s = st.stride, m = st.m;
    for (int j = 0; j < m; ++j) {
      for (int q = 0; q < s; ++q) {
        const int i0 = q + s * j, i1 = i0 + s * m, o = q + s * 2 * j;
        store(st, j, 0, x_re[i0] + x_re[i1], x_im[i0] + x_im[i1], y_re, y_im, o);
        store(st, j, 1, x_re[i0] - x_re[i1], x_im[i0] - x_im[i1], y_re, y_im, o + s);
      }
    }
  }

  REGENSIM_KERNEL static void radix3(const Stage& st, const DctVec* x_re, const DctVec* x_im,
                                     DctVec* y_re, DctVec* y_im) {
    constexpr float kSin = 0.866025403784438647f;  // sin(2π/3)
    const int s = st.stride, m = st.m;
    for (int j = 0; j < m; ++j) {
      for (int q = 0; q < s; ++q) {
        const int i0 = q + s * j, i1 = i0 + s * m, i2 = i1 + s * m, o = q + s * 3 * j;
        const DctVec sr = x_re[i1] + x_re[i2], si = x_im[i1] + x_im[i2];
        const DctVec dr = x_re[i1] - x_re[i2], di = x_im[i1] - x_im[i2];
        const DctVec mr = x_re[i0] - 0.5f * sr, mi = x_im[i0] - 0.5f * si;
        store(st, j, 0, x_re[i0] + sr, x_im[i0] + si, y_re, y_im, o);
        // -i sin(2π/3) (x1 - x2) and its conjugate.
        store(st, j, 1, mr + kSin * di, mi - kSin * dr, y_re, y_im, o + s);
        store(st, j, 2, mr - kSin * di, mi + kSin * dr, y_re, y_im, o + 2 * s);
      }
    }
  }

  REGENSIM_KERNEL static void radix4(const Stage& st, const DctVec* x_re, const DctVec* x_im,
                                     DctVec* y_re, DctVec* y_im) {
    const int s = st.stride, m = st.m;
    for (int j = 0; j < m; ++j) {
      for (int q = 0; q < s; ++q) {
        const int i0 = q + s * j, i1 = i0 + s * m, i2 = i1 + s * m, i3 = i2 + s * m;
        const int o = q + s * 4 * j;
        const DctVec ar = x_re[i0] + x_re[i2], ai = x_im[i0] + x_im[i2];
        const DctVec br = x_re[i0] - x_re[i2], bi = x_im[i0] - x_im[i2];
        const DctVec cr = x_re[i1] + x_re[i3], ci = x_im[i1] + x_im[i3];
        const DctVec dr = x_im[i1] - x_im[i3], di = x_re[i3] - x_re[i1];  // -i (x1 - x3)
        store(st, j, 0, ar + cr, ai + ci, y_re, y_im, o);
        store(st, j, 1, br + dr, bi + di, y_re, y_im, o + s);
        store(st, j, 2, ar - cr, ai - ci, y_re, y_im, o + 2 * s);
        store(st, j, 3, br - dr, bi - di, y_re, y_im, o + 3 * s);
      }
    }
  }

  REGENSIM_KERNEL static void radix5(const Stage& st, const DctVec* x_re, const DctVec* x_im,
                                     DctVec* y_re, DctVec* y_im) {
    constexpr float kC1 = 0.309016994374947424f;   // cos(2π/5)
    constexpr float kC2 = -0.809016994374947424f;  // cos(4π/5)
    constexpr float kS1 = 0.951056516295153572f;   // sin(2π/5)
    constexpr float kS2 = 0.587785252292473129f;   // sin(4π/5)
    const int s = st.stride, m = st.m;
    for (int j = 0; j < m; ++j) {
      for (int q = 0; q < s; ++q) {
        const int i0 = q + s * j, i1 = i0 + s * m, i2 = i1 + s * m, i3 = i2 + s * m,
                  i4 = i3 + s * m;
        const int o = q + s * 5 * j;
        const DctVec b1r = x_re[i1] + x_re[i4], b1i = x_im[i1] + x_im[i4];
        const DctVec b2r = x_re[i2] + x_re[i3], b2i = x_im[i2] + x_im[i3];
        const DctVec d1r = x_re[i1] - x_re[i4], d1i = x_im[i1] - x_im[i4];
        const DctVec d2r = x_re[i2] - x_re[i3], d2i = x_im[i2] - x_im[i3];
        const DctVec r1r = x_re[i0] + kC1 * b1r + kC2 * b2r, r1i = x_im[i0] + kC1 * b1i + kC2 * b2i;
        const DctVec r2r = x_re[i0] + kC2 * b1r + kC1 * b2r, r2i = x_im[i0] + kC2 * b1i + kC1 * b2i;
        const DctVec e1r = kS1 * d1r + kS2 * d2r, e1i = kS1 * d1i + kS2 * d2i;
        const DctVec e2r = kS2 * d1r - kS1 * d2r, e2i = kS2 * d1i - kS1 * d2i;
        store(st, j, 0, x_re[i0] + b1r + b2r, x_im[i0] + b1i + b2i, y_re, y_im, o);
        store(st, j, 1, r1r + e1i, r1i - e1r, y_re, y_im, o + s);  // r1 - i e1
        store(st, j, 2, r2r + e2i, r2i - e2r, y_re, y_im, o + 2 * s);
        store(st, j, 3, r2r - e2i, r2i + e2r, y_re, y_im, o + 3 * s);
        store(st, j, 4, r1r - e1i, r1i + e1r, y_re, y_im, o + 4 * s);
      }
    }
  }

  /// Any radix p by its direct sum (p^2 complex products): the rare large prime factor.
  REGENSIM_KERNEL static void radix_any(const Stage& st, const DctVec* x_re, const DctVec* x_im,
                                        DctVec* y_re, DctVec* y_im) {
    const int s = st.stride, m = st.m, p = st.radix;
    for (int j = 0; j < m; ++j) {
      for (int q = 0; q < s; ++q) {
        for (int t = 0; t < p; ++t) {
          DctVec r = x_re[q + s * j], i = x_im[q + s * j];
          for (int a = 1; a < p; ++a) {
            const int in = q + s * (j + a * m);
            const std::size_t w = static_cast<std::size_t>((a * t) % p);
            r += x_re[in] * st.root_re[w] - x_im[in] * st.root_im[w];
            i += x_re[in] * st.root_im[w] + x_im[in] * st.root_re[w];
          }
          store(st, j, t, r, i, y_re, y_im, q + s * (p * j + t));
        }
      }
    }
  }

  int n_;
  std::vector<int> slots_;
  std::vector<float> half_cos_, half_sin_;  // cos, sin of πk/(2n), halved
  std::vector<Stage> stages_;
};

}  // namespace regensim::sim::detail
