#include "sim/fields/field.hpp"

#include "sim/core/sum8.hpp"

#include <algorithm>
#include <numeric>

namespace regensim::sim {

FieldBalance& FieldBalance::operator+=(const FieldBalance& o) {
  secreted += o.secreted;
  decayed += o.decayed;
  taken_up += o.taken_up;
  boundary_in += o.boundary_in;
  fixed_in += o.fixed_in;
  return *this;
}

Field::Field(FieldSpec spec, const Lattice& lattice)
    : spec_(std::move(spec)), values_(lattice.size(), static_cast<float>(spec_.initial_value)) {}

void Field::set_fixed_mask(const std::uint8_t* mask) {
  fixed_mask_ = mask;
  if (mask == nullptr) return;
  const auto v = static_cast<float>(spec_.fixed_value);
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (mask[i]) values_[i] = v;
  }
}

double Field::total() const {
  // Fixed chunks, each summed with eight interleaved partial sums, added in chunk order:
  // the result depends on neither the thread count nor the SIMD width, and there is no
  // serial chain of one dependent addition per voxel (the metrics sum every field at
  // every metrics time; in index order that took 1 ms per 10^6 voxels, with the other
  // threads waiting).
  constexpr std::size_t kChunk = std::size_t{1} << 15;
  const std::size_t n = values_.size();
  const auto chunks = static_cast<std::ptrdiff_t>((n + kChunk - 1) / kChunk);
  std::vector<double> sums(static_cast<std::size_t>(chunks));
  const float* v = values_.data();
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (std::ptrdiff_t c = 0; c < chunks; ++c) {
    const std::size_t begin = static_cast<std::size_t>(c) * kChunk;
    const std::size_t end = std::min(n, begin + kChunk);
    const float* chunk = v + begin;
    sums[static_cast<std::size_t>(c)] = sum8(
        static_cast<int>(end - begin), [chunk](int i) { return static_cast<double>(chunk[i]); });
  }
  return std::accumulate(sums.begin(), sums.end(), 0.0);
}

}  // namespace regensim::sim
