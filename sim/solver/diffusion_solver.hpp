#pragma once
/// Diffusion-reaction solvers for one field over one lattice.
///
/// One solver step of length dt does, in this order:
///  1. reactions, backward Euler per voxel (unconditionally stable, exact bookkeeping):
///     c <- (c + dt*S) / (1 + dt*(k + U)) with S, U from the field's point terms and k its
///     decay rate; fixed voxels are skipped;
///  2. diffusion: implicit LOD (backward Euler along x, then y, then z, one tridiagonal
///     solve per grid line) or explicit FTCS (the test reference).
/// Boundaries: no-flux, or a fixed value on the face (half a voxel from the first centre).
/// Fixed voxels (vessels) keep their value and act as interior sources or sinks.
#include <memory>

#include "sim/core/lattice.hpp"
#include "sim/fields/field.hpp"

namespace regensim::sim {

enum class SolverMethod { ImplicitLod, ExplicitFtcs };

class DiffusionSolver {
 public:
  virtual ~DiffusionSolver() = default;
  /// Advances `field` by dt_min minutes (reactions, then diffusion) and returns what moved.
  /// Parallel inside (OpenMP); results are identical for any thread count.
  virtual FieldBalance step(Field& field, double dt_min) = 0;
};

/// Creates a solver for fields on `lattice` (the lattice must outlive the solver).
std::unique_ptr<DiffusionSolver> make_solver(SolverMethod method, const Lattice& lattice);

/// Largest stable FTCS step, minutes: h^2 / (2 * dimensions * D). Infinite when D == 0.
double explicit_stability_limit_min(const Lattice& lattice, double diffusion_um2_per_min);

/// Number of equal sub-steps that advance a field by step_min with no sub-step longer
/// than max_step_min (at least 1).
int substep_count(double step_min, double max_step_min);

/// Applies the reactions of one step (point terms, then decay) to `field` and returns
/// secreted, decayed and taken-up amounts. Shared by both solvers.
FieldBalance apply_reactions(Field& field, double dt_min);

}  // namespace regensim::sim
