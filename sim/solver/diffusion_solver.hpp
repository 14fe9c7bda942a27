#pragma once
/// Diffusion-reaction solvers for one field over one lattice.
///
/// Each field obeys, per voxel, dc/dt = D ∇²c - k c + Σ (S - U c) over its point terms
/// (secretion S, uptake rate U; a voxel may appear in several), discretised on cell-centred
/// finite volumes. Boundaries: no-flux, or a fixed value on the face (half a voxel from the
/// first centre). Fixed voxels (vessels) keep their value and act as interior sources or
/// sinks; point terms on them are ignored.
///  - ImplicitLod (the default; the name is historical): the Douglas alternating-direction
///    scheme with decay and uptake implicit in the x factor and secretion in the explicit
///    increment (implicit_lod.hpp). Unconditionally stable, first order in dt, exact
///    discrete steady state for any dt, non-negative for non-negative data. A field with
///    FieldSpec::quasi_steady is instead replaced by that steady state (steady_state.hpp).
///  - ExplicitFtcs (the test reference): reactions by backward Euler per voxel
///    (apply_reactions), then one forward-Euler diffusion step (explicit_ftcs.hpp).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/lattice.hpp"
#include "sim/fields/field.hpp"

namespace regensim::sim {

enum class SolverMethod { ImplicitLod, ExplicitFtcs };

/// One named word of state a solver carries from one step to the next.
struct SolverWord {
  std::string name;
  std::uint64_t value = 0;
};

class DiffusionSolver {
 public:
  virtual ~DiffusionSolver() = default;
  /// State the solver carries across steps (results of the next step depend on it), for
  /// checkpoints. Default: none.
  virtual std::vector<SolverWord> carried_state() const { return {}; }
  /// Restores what carried_state() returned; throws std::invalid_argument on a word the
  /// solver does not know.
  virtual void restore_carried_state(const std::vector<SolverWord>& words);
  /// Advances `field` by dt_min >= 0 minutes (diffusion and reactions) and returns what
  /// moved: total(after) - total(before) == balance.net() up to float rounding. Parallel
  /// inside (OpenMP); results are identical for any thread count.
  virtual FieldBalance step(Field& field, double dt_min) = 0;
  /// Whether the next step of `field` (with its current point terms) is exact in time, so
  /// that one step per cell step loses nothing to sub-steps. Default: no.
  virtual bool steps_exactly(const Field& field) const;
};

/// Why `field` on `lattice` cannot take exact steps (FieldSpec::exact_steps) even without
/// uptake: "" when it can; else the reason, e.g. "it has a fixed layer" or "lattice side
/// 97 has a prime factor above 13" (the line transforms' cost grows with the largest prime
/// factor of a side: 97^3 took 3.3 times as long as 10 graded Douglas sub-steps).
std::string exact_step_obstacle(const Lattice& lattice, const Field& field);

/// Creates a solver for fields on `lattice` (the lattice must outlive the solver).
std::unique_ptr<DiffusionSolver> make_solver(SolverMethod method, const Lattice& lattice);

/// Largest stable FTCS step, minutes: h^2 / (2 * dimensions * D). Infinite when D == 0.
double explicit_stability_limit_min(const Lattice& lattice, double diffusion_um2_per_min);

/// Number of equal sub-steps that advance a field by step_min with no sub-step longer
/// than max_step_min (at least 1).
int substep_count(double step_min, double max_step_min);

/// Applies the reactions of one step to `field` by backward Euler per voxel: each point term
/// in list order, c <- (c + dt*S)/(1 + dt*U), then decay c <- c/(1 + dt*k); fixed voxels are
/// skipped. Returns secreted, decayed and taken-up amounts. The explicit solver's reaction
/// step.
FieldBalance apply_reactions(Field& field, double dt_min);

}  // namespace regensim::sim
