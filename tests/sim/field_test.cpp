#include "sim/fields/field.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>

#include "sim/core/rng.hpp"
#include "tests/solver_test_support.hpp"

namespace regensim::sim {
namespace {

/// Σ v exactly enough to judge a double sum: long double with Kahan compensation.
long double reference_sum(const std::vector<float>& v) {
  long double sum = 0.0L, carry = 0.0L;
  for (const float x : v) {
    const long double y = static_cast<long double>(x) - carry;
    const long double t = sum + y;
    carry = (t - sum) - y;
    sum = t;
  }
  return sum;
}

TEST(Field, TotalIsAccurateAndTheSameForAnyThreadCount) {
  // Sizes below, at and across the chunk size (2^15) and the eight-way groups; values of
  // mixed sign and magnitude, so a sum that dropped or repeated a chunk or a tail is off.
  const KeyedRng rng(11, 3);
  // 2^15 voxels exactly (one whole chunk) and 2 * 2^15 + 5 (a five-voxel last chunk).
  for (const Lattice& lat :
       {Lattice(1, 33, 5, 10.0), Lattice(7, 33, 5, 10.0), Lattice(64, 33, 5, 10.0),
        Lattice(129, 33, 5, 10.0), Lattice(1000, 33, 5, 10.0), Lattice(32, 32, 32, 10.0),
        Lattice(3121, 21, 1, 10.0)}) {
    const auto voxels = lat.size();
    Field f(spec_with(0.0, 0.0), lat);
    for (std::size_t i = 0; i < f.values().size(); ++i) {
      const double u = rng.uniform(0, i);
      f.values()[i] = static_cast<float>((u - 0.3) * std::pow(10.0, 6.0 * u - 2.0));
    }
    const long double exact = reference_sum(f.values());
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    const double one = f.total();
    omp_set_num_threads(2);
    const double two = f.total();
    omp_set_num_threads(saved);
    EXPECT_EQ(std::memcmp(&one, &two, sizeof one), 0) << "voxels = " << voxels;
    double magnitude = 0.0;
    for (const float x : f.values()) magnitude += std::abs(static_cast<double>(x));
    EXPECT_LT(std::abs(static_cast<long double>(one) - exact), 1e-14L * magnitude)
        << "voxels = " << voxels;
  }
}

}  // namespace
}  // namespace regensim::sim
