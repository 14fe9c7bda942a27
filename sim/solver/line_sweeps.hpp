#pragma once
/// Tridiagonal solves along one lattice axis, one system per grid line, for the implicit
/// solver's positive fallback step (internal to sim/solver; the Douglas step itself is in
/// douglas_planes.hpp). Values are double in a field-shaped buffer and are solved in place. Lines
/// are grouped into work units whose size depends only on the lattice (64 neighbouring x-lines for
/// the y and z axes, 16 transposed lines for x), so the per-unit sums, added in unit order, are the
/// same for any thread count.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/core/lattice.hpp"
#include "sim/solver/thomas.hpp"

namespace regensim::sim::detail {

/// One axis stage. Row j of a line (fixed voxels aside) reads
///   -a_j x_{j-1} + (s_j + e_j + a_j + c_j) x_j - c_j x_{j+1} = d_j + add_j
/// with d the buffer value, couplings a_j = r (0 for j = 0) and c_j = r (0 for j = n-1),
/// s_j = 1 + sigma plus 2r at an end on a fixed-value face (where add_j = 2r*g), and e_j an
/// optional per-voxel extra diagonal. A fixed voxel is an identity row x_j = d_j, so its
/// neighbours see it as a Dirichlet value. Every row is a diagonally dominant M-matrix row:
/// non-negative data and g give non-negative x.
struct AxisStage {
  int axis = 0;        // 0 = x, 1 = y, 2 = z
  double r = 0.0;      // dt*D/h^2
  double sigma = 0.0;  // uniform extra diagonal, >= 0
  bool low_fixed = false, high_fixed = false;
  double g_low = 0.0, g_high = 0.0;  // face values where fixed
  bool want_kept = false;            // also sum the new values of the non-fixed voxels
};

/// The sums of a stage (thomas.hpp, StageSums). Summing the rows of the non-fixed voxels
/// (interior couplings cancel in pairs) gives, in exact arithmetic,
///   Σ_non-fixed x - Σ_non-fixed d = boundary + fixed - Σ_non-fixed (sigma + e_j) x_j.

/// Solves the lines of one axis of a lattice. Not re-entrant. Allocates on construction
/// and when the OpenMP thread count grows.
class AxisSolver {
 public:
  /// The lattice must outlive the solver.
  explicit AxisSolver(const Lattice& lattice);

  /// Solves every line along stage.axis in place in `u` (lattice-shaped). `mask` (1 =
  /// fixed voxel) and `extra` (per-voxel e_j, x axis only) may be null. Parallel inside
  /// (OpenMP); results and sums are identical for any thread count.
  StageSums solve(const AxisStage& stage, double* u, const std::uint8_t* mask, const double* extra);

  /// Per-thread work arrays; public only so that the solve helpers can name it.
  struct Scratch {
    std::vector<double> w;           // per-lane Thomas upper factors
    std::vector<double> g;           // per-lane carry of the elimination
    std::vector<double> acc;         // per-lane fixed-voxel inflow
    std::vector<double> tile;        // x axis: a block of lines, transposed
    std::vector<double> tile_extra;  // x axis: their extra diagonal, transposed
    std::vector<std::uint8_t> tile_mask;
  };

 private:
  void ensure_scratch();

  const Lattice& lattice_;
  std::vector<Scratch> scratch_;
  std::vector<StageSums> unit_sums_;
  // Elimination factors shared by all lines of a stage without fixed voxels or extra.
  std::vector<double> factor_q_;
  std::vector<double> factor_w_;
};

}  // namespace regensim::sim::detail
