#include "sim/core/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace regensim::sim {
namespace {

// Known-answer vectors for Philox4x64-10 from Random123's kat_vectors file:
// counter (4 words), key (2 words) -> output (4 words).
TEST(KeyedRng, PhiloxMatchesRandom123KnownAnswers) {
  using P = r123::Philox4x64;
  {
    const P::ctr_type c = {{0, 0, 0, 0}};
    const P::key_type k = {{0, 0}};
    const auto r = P()(c, k);
    EXPECT_EQ(r[0], 0x16554d9eca36314cull);
    EXPECT_EQ(r[1], 0xdb20fe9d672d0fdcull);
    EXPECT_EQ(r[2], 0xd7e772cee186176bull);
    EXPECT_EQ(r[3], 0x7e68b68aec7ba23bull);
  }
  {
    const P::ctr_type c = {{0x243f6a8885a308d3ull, 0x13198a2e03707344ull, 0xa4093822299f31d0ull,
                            0x082efa98ec4e6c89ull}};
    const P::key_type k = {{0x452821e638d01377ull, 0xbe5466cf34e90c6cull}};
    const auto r = P()(c, k);
    EXPECT_EQ(r[0], 0xa528f45403e61d95ull);
    EXPECT_EQ(r[1], 0x38c72dbd566e9788ull);
    EXPECT_EQ(r[2], 0xa5a1610e72fd18b5ull);
    EXPECT_EQ(r[3], 0x57bd43b5e52b7fe6ull);
  }
}

TEST(KeyedRng, KeyedDrawIsPhiloxOfSeedStreamAndCounter) {
  const KeyedRng rng(42, 7);
  const auto b = rng.bits(3, 99, 5);
  const r123::Philox4x64::ctr_type c = {{3, 99, 5, 0}};
  const r123::Philox4x64::key_type k = {{42, 7}};
  const auto r = r123::Philox4x64()(c, k);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(b[static_cast<std::size_t>(i)], r[static_cast<std::size_t>(i)]);
}

TEST(KeyedRng, SameKeySameNumbersAnyOtherKeyDifferent) {
  const KeyedRng a(1, 2), b(1, 2), other_seed(2, 2), other_stream(1, 3);
  EXPECT_EQ(a.bits(10, 20), b.bits(10, 20));
  EXPECT_NE(a.bits(10, 20), other_seed.bits(10, 20));
  EXPECT_NE(a.bits(10, 20), other_stream.bits(10, 20));
  EXPECT_NE(a.bits(10, 20), a.bits(11, 20));
  EXPECT_NE(a.bits(10, 20), a.bits(10, 21));
  EXPECT_NE(a.bits(10, 20, 0), a.bits(10, 20, 1));
}

TEST(KeyedRng, UniformIsInOpenIntervalWithRightMoments) {
  EXPECT_GT(KeyedRng::to_open01(0), 0.0);
  EXPECT_LT(KeyedRng::to_open01(~0ull), 1.0);
  const KeyedRng rng(123, 1);
  const int n = 200000;
  double sum = 0.0, sum2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform(0, static_cast<std::uint64_t>(i));
    sum += u;
    sum2 += u * u;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  // Standard error of the mean is sqrt(1/12/n) = 6.5e-4; allow 5 sigma.
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12.0 / n));
  EXPECT_NEAR(var, 1.0 / 12.0, 2e-3);
}

TEST(KeyedRng, StreamForIsStableAndDistinct) {
  EXPECT_EQ(stream_for("migration"), stream_for("migration"));
  EXPECT_NE(stream_for("migration"), stream_for("injection"));
  // FNV-1a of "a" is 0xaf63dc4c8601ec8c; the top bit is forced on.
  EXPECT_EQ(stream_for("a"), 0xaf63dc4c8601ec8cull | 0x8000000000000000ull);
}

}  // namespace
}  // namespace regensim::sim
