#pragma once
// Small hand-built worlds for the host rule tests.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <functional>
#include <string>

#include "models/cell_types.hpp"
#include "models/tissue_state.hpp"
#include "sim/config/config_table.hpp"
#include "sim/core/world.hpp"
#include "sim/rules/rule.hpp"

namespace regensim::models::host_test {

inline sim::StepContext ctx_at(std::int64_t step, double dt_min = 30.0, std::uint64_t seed = 1) {
  return {step, static_cast<double>(step) * dt_min, dt_min, seed};
}

/// An observed count of n Bernoulli(p) trials within 4 binomial standard deviations.
inline void expect_binomial(std::size_t observed, std::size_t n, double p) {
  const double sd = std::sqrt(static_cast<double>(n) * p * (1.0 - p));
  EXPECT_NEAR(static_cast<double>(observed), static_cast<double>(n) * p, 4.0 * sd)
      << "n=" << n << " p=" << p;
}

/// Adds a field of uniform value `value` (no diffusion) and returns its index.
inline int add_uniform_field(sim::World& w, const std::string& name, double value,
                             const std::string& fixed_layer = "", double fixed_value = 0.0) {
  sim::FieldSpec spec;
  spec.name = name;
  spec.units = "u";
  spec.initial_value = value;
  spec.fixed_layer = fixed_layer;
  spec.fixed_value = fixed_value;
  return w.add_field(spec);
}

/// A 2D world of nx x ny voxels of 20 µm with tissue layers and cell types declared.
inline void prepare(sim::World& w) {
  declare_tissue_layers(w);
  declare_cell_types(w);
}

/// Runs `body` with 1 and then 2 OpenMP threads and restores the thread count.
inline void with_threads(int threads, const std::function<void()>& body) {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  body();
  omp_set_num_threads(saved);
}

/// Every volume fraction of every voxel in [0, 1] and their sum at most 1 (+ round-off).
inline ::testing::AssertionResult fractions_valid(sim::World& w) {
  const TissueState s = TissueState::of(w);
  for (std::size_t v = 0; v < s.size; ++v) {
    const float parts[] = {s.viable[v],           s.necrotic[v],         s.collagen[v],
                           s.cartilage_matrix[v], s.bone_matrix[v],      s.contractile[v],
                           s.regen_paracrine[v],  s.regen_spontaneous[v]};
    double sum = 0.0;
    for (float f : parts) {
      if (!(f >= 0.0f) || f > 1.0f)
        return ::testing::AssertionFailure() << "voxel " << v << " fraction " << f;
      sum += f;
    }
    if (sum > 1.0 + 1e-5) return ::testing::AssertionFailure() << "voxel " << v << " sum " << sum;
  }
  return ::testing::AssertionSuccess();
}

/// The ConfigTable of a TOML snippet (the document must outlive the table).
struct Snippet {
  sim::ConfigDocument doc;
  explicit Snippet(const std::string& text)
      : doc(sim::ConfigDocument::from_string(text, "t.toml")) {}
  sim::ConfigTable table() { return doc.root(); }
};

}  // namespace regensim::models::host_test
