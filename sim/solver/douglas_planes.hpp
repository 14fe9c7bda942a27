#pragma once
/// One Douglas sub-step of the implicit solver (implicit_lod.hpp) computed plane by plane
/// in float, internal to sim/solver.
///
/// The stages are fused to save memory traffic: for each z-plane the explicit increment
/// F, the x factor and the y factor run while the plane is in cache, and the plane's d2 is
/// written once to the output buffer; the z factor then runs over blocks of 256 z-lines
/// (consecutive voxels of a plane), gathered into a contiguous block, and writes u + d3 in
/// the same pass. On a 2D lattice the y factor writes u + d2. Values read: u (once, plus
/// its neighbour planes from cache); written: the output (once per stage pass). Work units
/// depend only on the lattice (64 x-lines of one plane per x block, 64 lanes per y block,
/// 256 per z block), and every sum is kept per unit and added in unit order, so results
/// are identical for any thread count. The x block is compute-bound, the z pass waits on
/// memory (docs/performance.md).
#include <array>
#include <cstdint>
#include <vector>

#include "sim/core/lattice.hpp"
#include "sim/fields/field.hpp"
#include "sim/solver/thomas.hpp"

namespace regensim::sim::detail {

/// Point terms summed per non-fixed voxel (sorted by voxel, no fixed voxels).
struct VoxelTerm {
  VoxelIndex voxel;
  double secretion_per_min;
  double uptake_per_min;
};

/// What one Douglas sub-step needs. r = dt*D/h^2, k_dt = dt*k.
struct DouglasInput {
  const float* u = nullptr;
  const std::uint8_t* mask = nullptr;  // fixed voxels, or null
  const VoxelTerm* terms = nullptr;
  std::size_t term_count = 0;
  double dt = 0.0, r = 0.0, k_dt = 0.0;
  std::array<FaceBoundary, 6> faces{};
};

struct DouglasResult {
  FieldBalance balance;
  bool negative_input = false;   // some u < 0
  bool negative_output = false;  // some u + d < 0 (after float rounding)
};

class DouglasPlanes {
 public:
  /// The lattice must outlive this object. Allocates only the per-unit sums; per-thread
  /// scratch is allocated on the first step and when the OpenMP thread count grows.
  explicit DouglasPlanes(const Lattice& lattice);

  /// Writes u + d of one Douglas sub-step to `out` (lattice-sized, not aliasing u) and
  /// returns the balance (see implicit_lod.cpp). Parallel inside (OpenMP).
  DouglasResult step(const DouglasInput& in, float* out);

 private:
  struct Scratch {
    std::vector<float> tile, tile_extra, block, w, g;
    std::vector<std::uint8_t> block_mask;
  };
  /// Sums of one x block: the explicit increment of its rows and the x factor.
  struct XSums {
    double boundary = 0.0, fixed = 0.0;  // explicit face and fixed-voxel inflow
    double kept_u = 0.0;                 // Σ u over non-fixed voxels
    double secreted = 0.0, taken_u = 0.0, taken_d = 0.0;
    StageSums stage;
    bool negative = false;
  };
  struct CommitSums {
    StageSums stage;
    bool negative = false;
  };

  // The work of one unit, compiled for several instruction sets and picked at run time
  // (the kernels are inlined into each). The lanes of a vector are independent lines and
  // floating-point contraction is off, so every version gives the same bits.
  void ensure_scratch();
  REGENSIM_ISA_CLONES void x_block(const DouglasInput& in, std::ptrdiff_t unit, float* out,
                                   Scratch& s);
  [[gnu::always_inline]] inline void explicit_rows(const DouglasInput& in, std::ptrdiff_t first_row,
                                                   int rows, float* out, XSums& sums) const;
  REGENSIM_ISA_CLONES StageSums y_block(const DouglasInput& in, std::ptrdiff_t unit, float* out,
                                        Scratch& s);
  REGENSIM_ISA_CLONES CommitSums commit_block(const DouglasInput& in, const Rows& p, const float* q,
                                              const float* w, float* out, std::ptrdiff_t base,
                                              std::ptrdiff_t stride, int lanes, Scratch& s) const;

  const Lattice& lattice_;
  int x_lanes_;  // lines per x tile (x_tile_lanes)
  std::vector<Scratch> scratch_;
  std::vector<XSums> x_sums_;
  std::vector<StageSums> y_sums_;
  std::vector<CommitSums> commit_sums_;
  Rows rows_[3];
  std::vector<float> q_[3], w_[3];  // shared factors per axis
};

}  // namespace regensim::sim::detail
