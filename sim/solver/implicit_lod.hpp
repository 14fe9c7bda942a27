#pragma once
/// Backward-Euler locally-one-dimensional (LOD) diffusion solver.
///
/// One diffusion step solves (I - dt*D*L_x) u1 = u0, then (I - dt*D*L_y) u2 = u1, then
/// (I - dt*D*L_z) u3 = u2 (skipped when nz == 1), each as one tridiagonal system per grid
/// line. Cell-centred finite volumes with r = dt*D/h^2: an interior row is -r, 1+2r, -r;
/// a no-flux end row has 1+r; a fixed-value face adds 2r to the diagonal and 2r*g to the
/// right-hand side; a fixed voxel is an identity row holding FieldSpec::fixed_value.
/// Unconditionally stable, first order in dt, second order in h. See docs/validation.md.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/solver/diffusion_solver.hpp"

namespace regensim::sim {

class ImplicitLodSolver final : public DiffusionSolver {
 public:
  /// The lattice must outlive the solver. Allocates the per-line-group balance arrays.
  explicit ImplicitLodSolver(const Lattice& lattice);

  /// Reactions (apply_reactions), then the x, y and z sweeps. Not re-entrant: one step
  /// at a time per solver (the per-thread scratch is shared between fields). Allocates
  /// only on the first call and when the OpenMP thread count grows.
  FieldBalance step(Field& field, double dt_min) override;

  /// Per-thread work arrays; public only so that the sweep helpers can name it.
  struct Scratch {
    std::vector<double> y;           // line values during the elimination
    std::vector<double> w;           // Thomas upper factors (lines with fixed voxels)
    std::vector<double> g;           // per-lane carry of the elimination
    std::vector<double> acc;         // per-lane fixed-voxel inflow
    std::vector<float> tile;         // x sweep: a block of lines, transposed
    std::vector<std::uint8_t> mask;  // x sweep: their fixed mask, transposed
  };

 private:
  FieldBalance diffuse(Field& field, double dt_min);
  void ensure_scratch();

  const Lattice& lattice_;
  std::vector<Scratch> scratch_;
  // Per work unit (a block of lines) inflows, summed serially after each sweep.
  std::vector<double> unit_boundary_;
  std::vector<double> unit_fixed_;
  // Elimination factors shared by all lines of a sweep without fixed voxels.
  std::vector<double> factor_q_;
  std::vector<double> factor_w_;
};

}  // namespace regensim::sim
