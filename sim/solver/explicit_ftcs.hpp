#pragma once
/// Forward-Euler (FTCS) diffusion solver: the reference the implicit solver is tested
/// against. Same cell-centred discretisation, faces and fixed voxels as ImplicitLodSolver,
/// with the fluxes evaluated at the old values:
///   u_i += r * (Σ_neighbours (u_j - u_i) + Σ_fixed-value faces 2 (g - u_i)),  r = dt*D/h^2.
/// Stable only for dt <= h^2 / (2 * dims * D) (checked at config load; asserted in debug
/// builds, never clamped).
#include <cstddef>
#include <vector>

#include "sim/solver/diffusion_solver.hpp"

namespace regensim::sim {

class ExplicitFtcsSolver final : public DiffusionSolver {
 public:
  /// The lattice must outlive the solver. Allocates a copy buffer of one field.
  explicit ExplicitFtcsSolver(const Lattice& lattice);

  /// Reactions (apply_reactions), then one FTCS diffusion step. Not re-entrant: one
  /// step at a time per solver.
  FieldBalance step(Field& field, double dt_min) override;

 private:
  FieldBalance diffuse(Field& field, double dt_min);

  const Lattice& lattice_;
  std::vector<float> old_;
  // Per grid row (y, z) inflows, summed serially in row order.
  std::vector<double> row_boundary_;
  std::vector<double> row_fixed_;
};

}  // namespace regensim::sim
