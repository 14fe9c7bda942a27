#include "sim/sweep/sampling.hpp"

#include <array>
#include <numeric>
#include <stdexcept>

#include "sim/core/rng.hpp"

namespace regensim::sim {

namespace {

constexpr int kBits = 32;
constexpr StreamId kSobolShiftStream = 0x50b01;
constexpr StreamId kLhsStream = 0x1a7e;

/// One row of new-joe-kuo-6.21201 (S. Joe and F. Y. Kuo, "Constructing Sobol sequences
/// with better two-dimensional projections", SIAM J. Sci. Comput. 30, 2635-2654, 2008):
/// degree s of the primitive polynomial, its coefficients a, initial direction numbers m.
struct JoeKuoRow {
  int s;
  unsigned a;
  std::array<std::uint32_t, 7> m;
};

constexpr std::array<JoeKuoRow, kSobolMaxDimensions - 1> kJoeKuo = {{
    {1, 0, {1}},                         // d = 2
    {2, 1, {1, 3}},                      // d = 3
    {3, 1, {1, 3, 1}},                   // d = 4
    {3, 2, {1, 1, 1}},                   // d = 5
    {4, 1, {1, 1, 3, 3}},                // d = 6
    {4, 4, {1, 3, 5, 13}},               // d = 7
    {5, 2, {1, 1, 5, 5, 17}},            // d = 8
    {5, 4, {1, 1, 5, 5, 5}},             // d = 9
    {5, 7, {1, 1, 7, 11, 19}},           // d = 10
    {5, 11, {1, 1, 5, 1, 1}},            // d = 11
    {5, 13, {1, 1, 1, 3, 11}},           // d = 12
    {5, 14, {1, 3, 5, 5, 31}},           // d = 13
    {6, 1, {1, 3, 3, 9, 7, 49}},         // d = 14
    {6, 13, {1, 1, 1, 15, 21, 21}},      // d = 15
    {6, 16, {1, 3, 1, 13, 27, 49}},      // d = 16
    {6, 19, {1, 1, 1, 15, 7, 5}},        // d = 17
    {6, 22, {1, 3, 1, 15, 13, 25}},      // d = 18
    {6, 25, {1, 1, 5, 5, 19, 61}},       // d = 19
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},  // d = 20
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},   // d = 21
}};

/// Direction numbers V[1..32] of one dimension (index 0 unused), scaled by 2^32.
std::array<std::uint32_t, kBits + 1> directions(int dimension) {
  std::array<std::uint32_t, kBits + 1> v{};
  if (dimension == 0) {
    for (int i = 1; i <= kBits; ++i) v[i] = 1u << (kBits - i);
    return v;
  }
  const JoeKuoRow& row = kJoeKuo[static_cast<std::size_t>(dimension - 1)];
  const int s = row.s;
  for (int i = 1; i <= std::min(s, kBits); ++i) {
    v[i] = row.m[static_cast<std::size_t>(i - 1)] << (kBits - i);
  }
  for (int i = s + 1; i <= kBits; ++i) {
    v[i] = v[i - s] ^ (v[i - s] >> s);
    for (int k = 1; k < s; ++k) v[i] ^= ((row.a >> (s - 1 - k)) & 1u) * v[i - k];
  }
  return v;
}

/// 1-based position of the lowest zero bit of i (Gray-code order of Antonov and Saleev).
int lowest_zero_bit(std::uint64_t i) {
  int c = 1;
  while (i & 1u) {
    i >>= 1;
    ++c;
  }
  return c;
}

}  // namespace

std::vector<double> sobol_points(std::int64_t count, int dimensions, std::uint64_t seed) {
  if (dimensions < 1 || dimensions > kSobolMaxDimensions) {
    throw std::invalid_argument("Sobol points: 1 to " + std::to_string(kSobolMaxDimensions) +
                                " dimensions supported, not " + std::to_string(dimensions));
  }
  if (count < 0 || count >= (std::int64_t{1} << kBits)) {
    throw std::invalid_argument("Sobol points: count out of range");
  }
  const auto dims = static_cast<std::size_t>(dimensions);
  std::vector<std::array<std::uint32_t, kBits + 1>> v(dims);
  std::vector<std::uint32_t> x(dims, 0), shift(dims, 0);
  const KeyedRng rng(seed, kSobolShiftStream);
  for (std::size_t d = 0; d < dims; ++d) {
    v[d] = directions(static_cast<int>(d));
    if (seed != 0) shift[d] = static_cast<std::uint32_t>(rng.bits(0, d)[0] >> 32);
  }
  std::vector<double> out(static_cast<std::size_t>(count) * dims);
  for (std::int64_t i = 0; i < count; ++i) {
    if (i > 0) {
      const int c = lowest_zero_bit(static_cast<std::uint64_t>(i - 1));
      for (std::size_t d = 0; d < dims; ++d) x[d] ^= v[d][static_cast<std::size_t>(c)];
    }
    for (std::size_t d = 0; d < dims; ++d) {
      out[static_cast<std::size_t>(i) * dims + d] =
          static_cast<double>(x[d] ^ shift[d]) * 0x1.0p-32;
    }
  }
  return out;
}

std::vector<double> latin_hypercube(std::int64_t count, int dimensions, std::uint64_t seed) {
  if (count < 0 || dimensions < 1) throw std::invalid_argument("Latin hypercube: bad size");
  const auto n = static_cast<std::size_t>(count);
  const auto dims = static_cast<std::size_t>(dimensions);
  const KeyedRng rng(seed, kLhsStream);
  std::vector<double> out(n * dims);
  std::vector<std::size_t> strata(n);
  for (std::size_t d = 0; d < dims; ++d) {
    std::iota(strata.begin(), strata.end(), std::size_t{0});
    // Fisher-Yates with keyed draws: draw (dimension d, position i).
    for (std::size_t i = n; i > 1; --i) {
      const double u = rng.uniform(d, i, 0);
      const auto j = std::min(static_cast<std::size_t>(u * static_cast<double>(i)), i - 1);
      std::swap(strata[i - 1], strata[j]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double jitter = rng.uniform(d, i, 1);
      out[i * dims + d] = (static_cast<double>(strata[i]) + jitter) / static_cast<double>(n);
    }
  }
  return out;
}

}  // namespace regensim::sim
