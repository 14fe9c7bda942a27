#include "sim/solver/line_dct.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "sim/core/rng.hpp"

namespace regensim::sim::detail {
namespace {

constexpr int kL = kDctLanes;

/// Two sets of kL random lines of length n, as [set][lane][i].
std::vector<double> random_lines(int n, std::uint64_t seed) {
  const KeyedRng rng(seed, 7);
  std::vector<double> x(static_cast<std::size_t>(2 * kL * n));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = rng.uniform(0, i) - 0.4;
  return x;
}

double at(const std::vector<double>& x, int n, int set, int lane, int i) {
  return x[static_cast<std::size_t>((set * kL + lane) * n + i)];
}

/// The DCT-II of one line by its defining sum, in long double.
long double direct_dct(const std::vector<double>& x, int n, int set, int lane, int k) {
  long double sum = 0.0L;
  for (int i = 0; i < n; ++i) {
    sum += at(x, n, set, lane, i) *
           std::cos(std::numbers::pi_v<long double> * k * (2 * i + 1) / (2.0L * n));
  }
  return sum;
}

// Lengths with every radix path: powers of two and four, 3, 5, the shipped lattice sides,
// primes (13, 97: the direct-sum stage) and a product of two large primes (7 * 11).
TEST(LineDct, MatchesTheDefiningSumAndInvertsForAnyLength) {
  for (const int n : {1,  2,  3,  4,  5,  6,  7,  8,  9,  12,  13,  16,  20,  25,
                      26, 40, 50, 60, 64, 77, 80, 90, 97, 100, 120, 128, 130, 150}) {
    const LineDct dct(n);
    const std::vector<double> x = random_lines(n, static_cast<std::uint64_t>(n));
    const auto size = static_cast<std::size_t>(n);
    DctBuffer re_buffer(size), im_buffer(size), wr(size), wi(size);
    DctVec* re = re_buffer.data();
    DctVec* im = im_buffer.data();
    for (int i = 0; i < n; ++i) {
      for (int l = 0; l < kL; ++l) {
        re[static_cast<std::size_t>(dct.slot(i))][l] = static_cast<float>(at(x, n, 0, l, i));
        im[static_cast<std::size_t>(dct.slot(i))][l] = static_cast<float>(at(x, n, 1, l, i));
      }
    }
    dct.forward(re, im, wr.data(), wi.data());
    // Float rounding of an O(n log n) transform: a few ulps of the line's size, sqrt(n).
    const double tol = 2e-6 * n;
    double worst = 0.0;
    for (int k = 0; k < n; ++k) {
      for (int l = 0; l < kL; ++l) {
        const double a = re[static_cast<std::size_t>(k)][l];
        const double b = im[static_cast<std::size_t>(k)][l];
        worst = std::max(worst, std::abs(a - static_cast<double>(direct_dct(x, n, 0, l, k))));
        worst = std::max(worst, std::abs(b - static_cast<double>(direct_dct(x, n, 1, l, k))));
      }
    }
    EXPECT_LT(worst, tol) << "n = " << n;
    dct.inverse(re, im, wr.data(), wi.data());
    worst = 0.0;
    for (int i = 0; i < n; ++i) {
      for (int l = 0; l < kL; ++l) {
        const auto s = static_cast<std::size_t>(dct.slot(i));
        worst = std::max(worst, std::abs(static_cast<double>(re[s][l]) / n - at(x, n, 0, l, i)));
        worst = std::max(worst, std::abs(static_cast<double>(im[s][l]) / n - at(x, n, 1, l, i)));
      }
    }
    EXPECT_LT(worst, tol) << "round trip, n = " << n;
  }
}

TEST(LineDct, LargestPrimeFactor) {
  EXPECT_EQ(LineDct::largest_prime_factor(1), 1);
  EXPECT_EQ(LineDct::largest_prime_factor(64), 2);
  EXPECT_EQ(LineDct::largest_prime_factor(100), 5);
  EXPECT_EQ(LineDct::largest_prime_factor(130), 13);
  EXPECT_EQ(LineDct::largest_prime_factor(77), 11);
  EXPECT_EQ(LineDct::largest_prime_factor(97), 97);
  EXPECT_EQ(LineDct::largest_prime_factor(2 * 3 * 17 * 17), 17);
}

}  // namespace
}  // namespace regensim::sim::detail
