#pragma once
/// A diffusing, decaying substance: one contiguous float32 buffer over the lattice.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/lattice.hpp"

namespace regensim::sim {

/// Lattice faces, in the order used by every per-face array.
enum class Face : int { XLow = 0, XHigh, YLow, YHigh, ZLow, ZHigh };
inline constexpr std::array<const char*, 6> kFaceNames = {"x_low",  "x_high", "y_low",
                                                          "y_high", "z_low",  "z_high"};

enum class BoundaryKind { NoFlux, FixedValue };

/// Boundary condition on one face. FixedValue holds the concentration on the face itself
/// (half a voxel outside the first voxel centre).
struct FaceBoundary {
  BoundaryKind kind = BoundaryKind::NoFlux;
  float value = 0.0f;
};

/// The preconditioner of a quasi-steady field's conjugate-gradient solve: the diagonal, or
/// a multigrid V-cycle (fewer, dearer iterations; faster on large lattices).
enum class SteadyPreconditioner { Jacobi, Multigrid };

/// Everything the config says about one field. Units: concentration in `units`,
/// lengths in µm, times in minutes.
struct FieldSpec {
  std::string name;
  std::string units;
  double diffusion_um2_per_min = 0.0;
  double decay_per_min = 0.0;  // k = ln 2 / half-life; 0 for a stable substance
  double initial_value = 0.0;
  std::array<FaceBoundary, 6> faces{};
  /// Voxels where this tissue layer is non-zero are held at `fixed_value` (e.g. vessels
  /// supplying oxygen). Empty: no fixed voxels.
  std::string fixed_layer;
  double fixed_value = 0.0;
  /// Largest solver sub-step for this field, minutes (accuracy, not stability, sets it).
  double max_step_min = 0.0;
  /// Quasi-steady: each cell step replaces the values by the steady state for the step's
  /// forcing (steady_state.hpp) instead of time-stepping them; needs decay > 0.
  bool quasi_steady = false;
  double steady_tolerance = 1e-5;  // relative residual of the quasi-steady solve
  SteadyPreconditioner steady_preconditioner = SteadyPreconditioner::Jacobi;
  /// Exact steps: while the field has no fixed voxels, only no-flux faces and no uptake,
  /// each cell step is one exact cosine-transform step (spectral_step.hpp) instead of
  /// Douglas sub-steps; otherwise the Douglas scheme as usual.
  bool exact_steps = false;
};

/// Secretion and uptake by one agent (or any point source) in one voxel, constant over
/// a cell step: dc/dt = secretion - uptake * c.
struct PointTerm {
  VoxelIndex voxel;
  float secretion_per_min;  // field units per minute
  float uptake_per_min;     // first-order rate constant, 1/min
};

/// Amounts moved during one or more solver steps, as sums of concentration over voxels
/// (multiply by the voxel volume for an amount). Accumulated in double in a fixed order.
struct FieldBalance {
  double secreted = 0.0;
  double decayed = 0.0;
  double taken_up = 0.0;
  double boundary_in = 0.0;  // net inflow through fixed-value faces
  double fixed_in = 0.0;     // net inflow from fixed-value voxels (vessels)
  double net() const { return secreted - decayed - taken_up + boundary_in + fixed_in; }
  FieldBalance& operator+=(const FieldBalance& o);
};

/// Values of one substance. Not thread-safe for concurrent writes to one voxel.
class Field {
 public:
  Field(FieldSpec spec, const Lattice& lattice);

  const FieldSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }
  std::vector<float>& values() { return values_; }
  const std::vector<float>& values() const { return values_; }
  float operator[](VoxelIndex i) const { return values_[i]; }

  /// Per-voxel mask of fixed voxels (1 = fixed), or nullptr where the field has none.
  /// The mask belongs to a tissue layer and outlives the field's use of it.
  const std::uint8_t* fixed_mask() const { return fixed_mask_; }
  /// Sets the fixed mask and writes the fixed value into those voxels.
  void set_fixed_mask(const std::uint8_t* mask);

  /// Point terms applied at the next solver step; cleared by the engine after it.
  std::vector<PointTerm>& point_terms() { return point_terms_; }
  const std::vector<PointTerm>& point_terms() const { return point_terms_; }

  /// Σ c over all voxels, in double, in an order fixed by the lattice size (the same for any
  /// thread count). Parallel inside (OpenMP).
  double total() const;
  /// Mean concentration over all voxels.
  double mean() const { return total() / static_cast<double>(values_.size()); }

 private:
  FieldSpec spec_;
  std::vector<float> values_;
  const std::uint8_t* fixed_mask_ = nullptr;
  std::vector<PointTerm> point_terms_;
};

}  // namespace regensim::sim
