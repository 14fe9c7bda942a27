#pragma once
/// Counter-based random numbers (Philox4x64-10, Random123). No state: every draw is a
/// pure function of (seed, stream, step, id, k), so results do not depend on the order
/// in which threads ask, nor on how many threads there are.
#include <Random123/philox.h>

#include <array>
#include <cstdint>
#include <string_view>

namespace regensim::sim {

/// Random streams, one per purpose, so that switching one rule on or off does not
/// shift the numbers another rule sees (see stream_for()).
using StreamId = std::uint64_t;

class KeyedRng {
 public:
  using Philox = r123::Philox4x64;

  KeyedRng(std::uint64_t seed, StreamId stream) : key_{{seed, stream}} {}

  /// Four independent 64-bit words for (step, id, k).
  std::array<std::uint64_t, 4> bits(std::uint64_t step, std::uint64_t id,
                                    std::uint64_t k = 0) const {
    const Philox::ctr_type ctr = {{step, id, k, 0}};
    const Philox::ctr_type r = Philox()(ctr, key_);
    return {r[0], r[1], r[2], r[3]};
  }

  /// Four uniform doubles in the open interval (0, 1) for (step, id, k).
  std::array<double, 4> uniform4(std::uint64_t step, std::uint64_t id, std::uint64_t k = 0) const {
    const auto b = bits(step, id, k);
    return {to_open01(b[0]), to_open01(b[1]), to_open01(b[2]), to_open01(b[3])};
  }

  double uniform(std::uint64_t step, std::uint64_t id, std::uint64_t k = 0) const {
    return to_open01(bits(step, id, k)[0]);
  }

  /// 52 random bits mapped to the centre of one of 2^52 equal bins: never 0 or 1
  /// (with 53 bits the top bin's centre would round to 1.0).
  static double to_open01(std::uint64_t x) {
    return (static_cast<double>(x >> 12) + 0.5) * 0x1.0p-52;
  }

 private:
  Philox::key_type key_;
};

}  // namespace regensim::sim

namespace regensim::sim {

/// A stream id derived from a rule instance name (64-bit FNV-1a), so each configured
/// rule draws its own numbers and adding or removing another rule leaves them unchanged.
inline StreamId stream_for(std::string_view instance_name) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : instance_name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h | 0x8000000000000000ull;  // keep clear of the small engine stream numbers
}

}  // namespace regensim::sim
