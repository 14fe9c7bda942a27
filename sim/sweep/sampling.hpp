#pragma once
/// Space-filling designs on the unit cube for parameter sweeps: Sobol points (Joe & Kuo
/// direction numbers) and Latin hypercube samples. Both are pure functions of
/// (count, dimensions, seed), so a sweep file always gives the same runs.
#include <cstdint>
#include <vector>

namespace regensim::sim {

/// Largest dimension count sobol_points() supports: dimension 1 (van der Corput) plus
/// Joe & Kuo's new-joe-kuo-6.21201 rows for dimensions 2 to 21.
inline constexpr int kSobolMaxDimensions = 21;

/// `count` points of the Sobol sequence in [0, 1)^dimensions, point-major
/// (point i, dimension d at [i * dimensions + d]), starting with the point 0. seed 0 gives
/// the plain sequence; any other seed applies a random digital shift (XOR of each
/// dimension's 32 bits with a keyed random word), which keeps the net structure.
/// Throws std::invalid_argument unless 1 <= dimensions <= kSobolMaxDimensions and
/// count < 2^32.
std::vector<double> sobol_points(std::int64_t count, int dimensions, std::uint64_t seed);

/// `count` Latin hypercube points in (0, 1)^dimensions, point-major: in every dimension
/// each of the `count` equal strata holds exactly one point, at a random place within it;
/// strata are paired across dimensions by keyed random permutations.
std::vector<double> latin_hypercube(std::int64_t count, int dimensions, std::uint64_t seed);

}  // namespace regensim::sim
