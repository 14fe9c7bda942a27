#pragma once
/// The exact step of a field whose operator the cosine basis diagonalises, internal to
/// sim/solver (ImplicitLodSolver takes it for a field with FieldSpec::exact_steps where it
/// applies).
///
/// With no fixed voxels, no-flux faces and no uptake, du/dt = D ∇²u - k u + S is linear
/// with constant coefficients, and the 3D cosine transform (line_dct.hpp along each axis)
/// diagonalises the cell-centred operator: mode (a, b, c) has rate
///   λ = k + Σ_axes (4 D / h²) sin²(π k_axis / (2 n_axis)).
/// With S constant over the step (the point terms are), each mode moves exactly:
///   û ← e^{-λ dt} û + (1 - e^{-λ dt}) / λ · Ŝ          (dt · Ŝ where λ = 0)
/// so one step of any length has only the float rounding of the transforms as error: no
/// sub-steps, no graded start. e^{-λ dt} and 1 - e^{-λ dt} are formed in double, the
/// update in float.
///
/// Passes over the lattice: the forward transform of u and S along every axis but the
/// last, then along the last axis forward, the mode update and back in one pass, then the
/// inverse along the others. Work units are blocks of 32 lines fixed by the lattice, so
/// the result is the same for any thread count; every pass is compiled for several
/// instruction sets with the same bits (line_dct.hpp).
///
/// Rounding. The exact solution is non-negative when u and S are; the transforms' float
/// rounding (about 1e-7 of the field's scale) can leave tiny negative values where it is
/// near zero. When every input is non-negative those are set to zero and their sum is
/// counted (rounded_up()); the balance identity holds to that rounding.
#include <cstddef>
#include <vector>

#include "sim/core/lattice.hpp"
#include "sim/fields/field.hpp"
#include "sim/solver/douglas_planes.hpp"  // VoxelTerm
#include "sim/solver/line_dct.hpp"

namespace regensim::sim::detail {

class SpectralStep {
 public:
  /// The lattice must outlive this object.
  explicit SpectralStep(const Lattice& lattice);

  /// Whether the exact step applies to `field` given point terms without uptake: no fixed
  /// mask, every face no-flux, not quasi-steady, no lattice side with a large prime factor
  /// (exact_step_obstacle in diffusion_solver.hpp).
  bool applies(const Field& field) const;

  /// Advances the field by dt_min exactly (see above); the terms have no uptake and
  /// `source` is lattice-sized scratch.
  /// `non_negative`: every secretion is >= 0 (values are checked here). Parallel inside.
  FieldBalance step(Field& field, const VoxelTerm* terms, std::size_t count, double dt_min,
                    bool non_negative, float* source);

  /// Σ of the negative round-off values set to zero since construction.
  double rounded_up() const { return rounded_up_; }

 private:
  enum class Op { Forward, Inverse, Exact };
  struct Modes {                // per axis, for the current field and step
    std::vector<double> rate;   // (4D/h²) sin²(πk/2n), 1/min
    std::vector<double> decay;  // e^{-rate dt}
  };
  /// The mode update of an Exact pass. norm undoes the unnormalised transforms.
  struct Update {
    double dt = 0.0, k = 0.0, k_decay = 1.0, norm = 1.0;
  };
  /// One work unit: up to 32 lines along `axis`; element i of line j is at
  /// first + j * line_stride + i * element_stride.
  struct Unit {
    std::ptrdiff_t first = 0, line_stride = 0, element_stride = 0;
    int lines = 0;
    int other[2][32];  // the mode indices of each line on the other two axes
  };
  /// Per-thread blocks: u, s and work, 2n vectors each.
  struct Scratch {
    DctBuffer u, s, work;
  };

  void ensure_scratch();
  std::ptrdiff_t unit_count(int axis) const;
  Unit unit(int axis, std::ptrdiff_t index) const;
  /// Runs `op` along `axis` over the whole lattice; returns the sum of clamped values.
  double pass(Op op, int axis, float* u, const float* s, const Update& up, bool clamp);
  /// The exact pass's mode update of one unit's blocks (u ← e u + gain S, normalised);
  /// s_re null: no source.
  REGENSIM_KERNEL void update_modes(int axis, const Unit& w, const Update& up, int n, DctVec* u_re,
                                    DctVec* u_im, const DctVec* s_re, const DctVec* s_im) const;
  REGENSIM_ISA_CLONES double run_unit(Op op, int axis, const Unit& w, float* u, const float* s,
                                      const Update& up, bool clamp, Scratch& sc) const;

  const Lattice& lattice_;
  int n_[3];
  std::vector<LineDct> dct_;  // one per axis
  Modes modes_[3];
  std::vector<Scratch> scratch_;
  std::vector<double> unit_sums_;
  double rounded_up_ = 0.0;
};

}  // namespace regensim::sim::detail
