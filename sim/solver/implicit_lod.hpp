#pragma once
/// Implicit diffusion-reaction solver: the Douglas (stabilising-correction) alternating-
/// direction scheme with the reactions inside the x factor.
///
/// Per voxel, du/dt = Σ_a (A_a u + b_a) - R u + S, where A_a is the diffusion operator along
/// axis a (cell-centred finite volumes, r = dt*D/h^2; faces and fixed voxels as in
/// diffusion_solver.hpp), b_a its inflow from fixed-value faces and fixed voxels,
/// R = k + Σ U (decay plus the uptake rates of the voxel's point terms) and S = Σ secretion.
/// One sub-step of length dt:
///   F   = dt (Σ_a (A_a u + b_a) - R u + S)            (0 in fixed voxels)
///   (I - dt A_x + dt R) d1 = F
///   (I - dt A_y) d2 = d1
///   (I - dt A_z) d3 = d2                               (not on a 2D lattice)
///   u  <- u + d3
/// each factor one tridiagonal system per grid line, with homogeneous faces and fixed
/// voxels as zero identity rows. Unconditionally stable, first order in dt, and its fixed
/// point (F = 0) is the exact steady state of the spatially discrete problem for any dt.
///
/// Graded start. The factors leave components that are stiff along two or three axes
/// almost undamped (amplification 1 - Σz_a/Π(1 + z_a), z_a = dt times the axis
/// eigenvalue), so a sudden change of the forcing (cells that moved, a new vessel layer, the
/// first step) would leave a lasting error near the change. When a field's point terms or
/// fixed mask differ from those of its previous step (or on its first step), the step is
/// taken as dt/2^L, dt/2^L, dt/2^(L-1), ..., dt/2 with L the smallest level giving
/// r <= 1/4 for the first sub-step: each component is then integrated at a step that
/// resolves its time scale while it decays. L is about log2(4r) extra sub-steps per change.
///
/// Positivity. The scheme is not positivity-preserving for rough data. When every input is
/// non-negative (values, face values, secretion) and a sub-step would leave a negative
/// value, that sub-step is recomputed with the backward-Euler locally-one-dimensional
/// scheme (I - dt A_x + dt R) u1 = u + dt (b_x + S), (I - dt A_y) u2 = u1 + dt b_y, ...,
/// whose factors are M-matrices: non-negative for any dt, first order, but with a splitting
/// bias in its steady state. positivity_fallbacks() counts such sub-steps.
/// See docs/validation.md ("Diffusion–reaction solver").
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/solver/diffusion_solver.hpp"
#include "sim/solver/douglas_planes.hpp"
#include "sim/solver/line_sweeps.hpp"
#include "sim/solver/spectral_step.hpp"
#include "sim/solver/steady_state.hpp"

namespace regensim::sim {

class ImplicitLodSolver final : public DiffusionSolver {
 public:
  /// The lattice must outlive the solver. Allocates one lattice-sized float buffer.
  /// `graded_start` = false turns the graded start off (for tests of single steps).
  explicit ImplicitLodSolver(const Lattice& lattice, bool graded_start = true);

  /// A quasi-steady field (FieldSpec::quasi_steady) is replaced by its steady state for the
  /// current forcing instead (steady_state.hpp), whatever dt_min, which only scales the
  /// returned flows. Otherwise: one Douglas step, graded when the field's forcing changed (see
  /// above). Not re-entrant: one step at a time per solver (the work buffers are shared between
  /// fields; the forcing of each field is remembered by name). Allocates only on the first
  /// call for a field, when the OpenMP thread count grows and when a field has more point
  /// terms than any before.
  FieldBalance step(Field& field, double dt_min) override;
  /// True for a field with FieldSpec::exact_steps whose fixed mask, faces and listed point
  /// terms allow the exact step (spectral_step.hpp).
  bool steps_exactly(const Field& field) const override;

  /// The forcing signature each field last saw ("forcing/<field>"), which decides whether
  /// its next step takes a graded start, and the fallback count.
  std::vector<SolverWord> carried_state() const override;
  void restore_carried_state(const std::vector<SolverWord>& words) override;

  /// Sub-steps recomputed with the positive fallback scheme since construction.
  std::int64_t positivity_fallbacks() const { return fallbacks_; }
  /// Σ of negative round-off set to zero by exact steps (spectral_step.hpp).
  double exact_step_rounded_up() const { return spectral_.rounded_up(); }
  /// Conjugate-gradient iterations of the last quasi-steady solve.
  int last_steady_iterations() const { return last_steady_iterations_; }

 private:
  using Term = detail::VoxelTerm;  // point terms summed per non-fixed voxel, voxel order
  struct RawTerm {
    VoxelIndex voxel;
    float secretion;
    float uptake;
  };
  /// A term's voxel and its place in the filtered list: what the radix sort orders.
  struct KeyedTerm {
    VoxelIndex voxel;
    std::uint32_t index;
  };
  struct Forcing {
    std::string field;
    std::uint64_t signature;
  };

  /// A field's point terms as last listed and what collect_terms made of them: the
  /// engine lists them once per cell step and steps the field several times.
  struct FieldTerms {
    std::string field;
    std::vector<PointTerm> listed;
    std::uint64_t mask_hash = 0;   // FNV-1a of the fixed mask the terms were filtered with
    std::uint64_t mask_quick = 0;  // quick_mask_hash of it (when has_mask_quick)
    bool has_mask_quick = false;
    std::vector<Term> terms;
    std::uint64_t term_hash = 0;  // FNV-1a state after the terms (the signature's start)
    bool hashed = false;          // term_hash was computed (exact steps skip it)
    bool non_negative = true;
  };

  /// The signature recorded for a step taken exactly: never a Douglas signature in
  /// practice (FNV-1a would have to hit zero), so the next Douglas step starts graded.
  static constexpr std::uint64_t kExactStepSignature = 0;
  /// Sums the field's point terms per non-fixed voxel (cached while the list and the mask
  /// are unchanged), makes them current and returns the forcing's signature; with
  /// `want_signature` false (an exact step) it skips the signature and returns
  /// kExactStepSignature.
  std::uint64_t collect_terms(const Field& field, bool want_signature);
  void sum_terms(const Field& field, FieldTerms& cache, bool hash);
  /// sum_terms' passes: the field's terms outside fixed voxels into order_, in list
  /// order; order_ stably sorted by voxel; order_'s terms summed per voxel into `terms`
  /// (returns whether every secretion sum is >= 0).
  void keep_unfixed_terms(const Field& field);
  void order_by_voxel();
  bool sum_per_voxel(std::vector<Term>& terms);
  bool forcing_changed(const std::string& name, std::uint64_t signature);
  FieldBalance substep(Field& field, double dt_min);
  FieldBalance fallback(Field& field, double dt_min);
  detail::AxisStage stage(const Field& field, int axis, double r) const;

  const Lattice& lattice_;
  detail::DouglasPlanes douglas_;
  detail::SteadyState steady_;
  detail::SpectralStep spectral_;
  std::vector<float> next_;  // the Douglas step's result, swapped into the field
  // The positive fallback's buffers, allocated on its first use (it is rare).
  detail::AxisSolver axes_;
  std::vector<double> work_;       // the fallback's values
  std::vector<double> uptake_dt_;  // dt*U per voxel, zero outside the current terms
  std::vector<RawTerm> order_, sorted_;
  // The last filtered voxel sequence and its stable order by voxel, reused while the
  // next field lists the same voxels in the same order (every cell lists each factor).
  std::vector<VoxelIndex> keyed_voxels_;
  std::vector<KeyedTerm> keys_, key_buffer_;
  std::vector<std::size_t> chunk_counts_, group_bounds_;  // sum_terms' per-chunk offsets
  std::vector<FieldTerms> field_terms_;
  std::vector<std::uint64_t> quick_chunks_;  // quick_mask_hash's per-chunk words
  const FieldTerms* current_ = nullptr;      // the terms of the field being stepped
  std::vector<Forcing> forcing_;
  bool graded_start_ = true;
  std::int64_t fallbacks_ = 0;
  int last_steady_iterations_ = 0;
};

}  // namespace regensim::sim
