#pragma once
/// Quasi-steady solve of one field, internal to sim/solver: the steady state of the
/// implicit solver's spatially discrete problem for the current forcing, used for species
/// that settle much faster than a cell step (oxygen: D/h^2 = 250/min, vessels every few
/// voxels; relaxation times of seconds against 30-minute cell steps).
///
/// Over the non-fixed voxels, with c = D/h^2, the steady state solves A u = b:
///   (A u)_i = (k + U_i) u_i + c Σ_{inside neighbours j} (u_i - u_j) + 2c n_i u_i
///   b_i     = S_i + c Σ_{fixed neighbours j} g_j + 2c Σ_{fixed-value faces of i} g_face
/// (n_i: fixed-value faces of voxel i; no-flux faces add nothing; fixed voxels keep their
/// value g_j and point terms on them are ignored): the fixed point of the Douglas step in
/// implicit_lod.hpp. A is symmetric positive definite when k > 0, so the solve is
/// conjugate gradients preconditioned by the diagonal (Jacobi) or by a multigrid V-cycle
/// (multigrid.hpp; the field's steady_preconditioner), started from the field's values (the steady
/// state of the previous cell step), stopping when ‖r‖ / ‖b‖ <= tolerance in the norm
/// Σ x_i^2 / diag_i, checked again on the recomputed residual. Values are float, sums
/// double, taken per lattice row and added in row order: results are identical for any
/// thread count.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/core/lattice.hpp"
#include "sim/fields/field.hpp"
#include "sim/solver/douglas_planes.hpp"
#include "sim/solver/multigrid.hpp"

namespace regensim::sim::detail {

struct SteadyResult {
  /// The steady flows over dt at the solution (their net is ~0); the change of the field
  /// from its previous values is not a flow and is not in it.
  FieldBalance balance;
  int iterations = 0;
  double relative_residual = 0.0;
};

class SteadyState {
 public:
  /// The lattice must outlive this object. Allocates nothing until the first solve.
  explicit SteadyState(const Lattice& lattice) : lattice_(lattice) {}

  /// Replaces the field's values by the steady state for `terms` (point terms summed per
  /// non-fixed voxel, voxel order). Requires decay > 0. With `non_negative_inputs`
  /// (secretion, face and fixed values all >= 0) negative values left within the
  /// tolerance are set to 0. Throws std::runtime_error naming the field when the solve
  /// does not converge.
  SteadyResult solve(Field& field, const VoxelTerm* terms, std::size_t term_count, double dt_min,
                     double tolerance, bool non_negative_inputs);

 private:
  void prepare(const Field& field, const VoxelTerm* terms, std::size_t term_count, double c);
  /// out = A v over the non-fixed voxels (v must be 0 at fixed voxels to leave them out of
  /// the couplings); returns Σ v·out.
  double apply(const float* v, float* out, double c);
  /// r = b - A u for the field's values u (fixed voxels included as sources); returns
  /// Σ r^2/diag, and Σ b^2/diag in b_norm2 when it is not null.
  double residual(const Field& field, const VoxelTerm* terms, std::size_t term_count, double c,
                  double* b_norm2);
  /// Σ 2c (g - u) over the non-fixed voxels on fixed-value faces, per minute.
  double boundary_rate(const Field& field, double c) const;
  /// Σ v over the non-fixed voxels, by rows in order.
  double masked_sum(const float* v, const std::uint8_t* mask);
  double sum_rows() const;

  const Lattice& lattice_;
  std::vector<float> diag_, inv_diag_;  // inv_diag_ is 0 at fixed voxels
  std::vector<float> r_, p_, q_, z_;    // z_: the preconditioned residual (multigrid only)
  AggregationMultigrid multigrid_;
  std::vector<double> row_sums_;
};

}  // namespace regensim::sim::detail
