#pragma once
/// Aggregation multigrid, internal to sim/solver: the preconditioner of the quasi-steady
/// solve (steady_state.hpp) on large lattices.
///
/// Level 0 is the lattice's operator (A v)_i = diag_i v_i - c Σ_{inside neighbours j} v_j
/// over the unknowns (diag_i > 0; diag_i = 0 marks a fixed voxel). Each coarser level
/// merges 2 × 2 × 2 cells (fewer at odd edges) into one, with the Galerkin operator
/// P^T A P of piecewise-constant prolongation P: again a 7-point stencil, with
///   D_I = Σ_{i in I} A_ii + Σ_{i != j in I} A_ij,  W_IJ = -Σ_{i in I, j in J} A_ij,
/// so vessels and faces need no special case (a cell whose fine cells are all fixed has no
/// unknown). Coarsening stops at kCoarsestCells cells, solved directly (Cholesky).
///
/// One application is a V-cycle from zero: damped-Jacobi sweeps (weight 0.8), the
/// restricted residual's coarse correction, as many sweeps again: one before and one after
/// on the lattice (three passes over its arrays; two sweeps each took 6 iterations on the
/// case below instead of 7 but cost more), two on the coarse levels. With as many sweeps
/// after as before and a symmetric smoother it is a symmetric positive-definite linear
/// operator, as conjugate gradients need. On the end-to-end case's oxygen problem (10^6 voxels,
/// vessels every 10 voxels, 10^5 consuming cells) it cuts the warm-started iterations from
/// about 45 (Jacobi) to 7 (docs/performance.md).
///
/// Values are float, Galerkin sums double; every cell is computed from its own inputs in a
/// fixed order and sums go by rows in order: results are identical for any thread count.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "sim/core/lattice.hpp"

namespace regensim::sim::detail {

class AggregationMultigrid {
 public:
  /// Coarsening stops when a level has at most this many cells (or cannot shrink).
  static constexpr std::size_t kCoarsestCells = 128;

  /// Builds the coarse levels for the lattice operator with diagonal `diag` (0 at fixed
  /// voxels) and coupling c; `inv_diag` is 1/diag, 0 at fixed voxels, and must stay
  /// unchanged and alive until the next setup. While the voxels that carry an unknown, c
  /// and the lattice stay the same, the coarse couplings are kept and only the diagonals
  /// (uptake changes them) are rebuilt: the levels come out the same bits either way.
  void setup(const Lattice& lattice, const float* diag, const float* inv_diag, float c);

  /// z = M r: one V-cycle from zero; values of r at fixed voxels are ignored, z is 0
  /// there. Returns Σ r·z over the unknowns, summed by rows in order.
  double apply(const float* r, float* z);

  /// Levels below the lattice's (0 before the first setup).
  int coarse_levels() const { return static_cast<int>(levels_.size()); }

 private:
  /// A coarse level: wx[I] couples cell I with I + x (0 at the last column and where
  /// either cell has no unknown), likewise wy and wz; inv is 1/d, 0 where d = 0.
  struct Level {
    int nx = 1, ny = 1, nz = 1;
    std::vector<float> d, inv, wx, wy, wz;
    std::vector<double> inner;  // twice the couplings inside each cell
    std::vector<float> r, z, t;
    std::size_t size() const { return d.size(); }
  };

  void factor_coarsest();
  /// z = M r on coarse level l (r in levels_[l].r, result in levels_[l].z).
  void cycle(std::size_t l);
  void solve_coarsest(Level& lv);

  // Level 0 (the lattice), borrowed from the caller.
  const Lattice* lattice_ = nullptr;
  const float* inv_ = nullptr;
  float c_ = 0.0f;
  std::vector<float> b_;      // the lattice's iterate (and the restriction's scratch)
  std::vector<float> zeros_;  // a row of zeros as long as the lattice's
  std::vector<double> row_sums_;
  std::vector<Level> levels_;
  std::vector<std::uint8_t> unknowns_;  // 1 where diag > 0, as of the couplings
  float coupling_c_ = 0.0f;
  std::array<int, 3> coupling_dims_{};
  // The coarsest level's unknowns and their Cholesky factor.
  std::vector<int> coarse_index_;  // cell -> unknown, -1 where d = 0
  Eigen::LLT<Eigen::MatrixXd> coarse_llt_;
  Eigen::VectorXd coarse_rhs_;
};

}  // namespace regensim::sim::detail
