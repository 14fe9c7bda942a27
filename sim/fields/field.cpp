#include "sim/fields/field.hpp"

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
  // Serial sum in index order: the result must not depend on the thread count, the
  // SIMD width or the buffer's alignment.
  return std::accumulate(values_.begin(), values_.end(), 0.0);
}

}  // namespace regensim::sim
