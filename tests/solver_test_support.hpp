#pragma once
// Helpers shared by the solver unit and validation tests.
#include <cmath>

#include "sim/fields/field.hpp"

namespace regensim::sim {

inline FieldSpec spec_with(double diffusion, double decay) {
  // Designated initialisers construct the strings (assigning them trips a GCC 12
  // -Wrestrict false positive at -O3).
  return FieldSpec{.name = "c",
                   .units = "au",
                   .diffusion_um2_per_min = diffusion,
                   .decay_per_min = decay,
                   .fixed_layer = ""};
}

/// Convergence order from errors at two resolutions that differ by `ratio`.
inline double observed_order(double coarse_error, double fine_error, double ratio) {
  return std::log(coarse_error / fine_error) / std::log(ratio);
}

}  // namespace regensim::sim
