#pragma once
/// The engine's typed parameters, read once from the config and validated at load.
/// Biology sections ([rules.*]) are read by the rules themselves (sim/rules/registry.hpp).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/compare_params.hpp"
#include "sim/config/config_table.hpp"
#include "sim/fields/field.hpp"
#include "sim/solver/diffusion_solver.hpp"

namespace regensim::sim {

struct SimulationParams {
  std::array<int, 3> dimensions{};  // voxels [nx, ny, nz]; nz == 1 is 2D
  double voxel_size_um = 0.0;
  double duration_days = 0.0;
  double step_minutes = 0.0;  // cell-rule step
  std::uint64_t seed = 0;
  std::int64_t steps = 0;  // duration / step, a whole number (validated)
};

struct OutputParams {
  std::string file;
  double every_hours = 24.0;         // snapshot cadence
  double metrics_every_hours = 0.0;  // metrics cadence; defaults to one cell step
  std::vector<std::string> fields;   // written at snapshots (default: all)
  std::int64_t snapshot_every_steps = 0;
  std::int64_t metrics_every_steps = 0;
};

struct SolverParams {
  SolverMethod method = SolverMethod::ImplicitLod;
  double max_step_min = 1.0;       // default sub-step limit for every field
  double steady_tolerance = 1e-5;  // relative residual of quasi-steady solves
  SteadyPreconditioner steady_preconditioner = SteadyPreconditioner::Jacobi;
  bool exact_steps = false;  // FieldSpec::exact_steps for every field
};

/// The [mechanisms] switches (design.md). Each defaults to true.
struct Mechanisms {
  bool differentiation = true;
  bool paracrine = true;
  bool angiogenesis = true;
  bool inflammation = true;
  bool scar = true;
  /// Host tissue below an oxygen threshold secretes VEGF (HIF-1alpha; host_hypoxic_vegf).
  bool hypoxic_vegf = true;
  /// An anti-fibrotic factor brakes myofibroblast activation and collagen (host_scar).
  bool antifibrotic = true;
  /// Cartilage turns into bone only near a vessel (endochondral; matrix_deposition).
  bool vascular_ossification = true;
};

struct RunConfig {
  SimulationParams simulation;
  OutputParams output;
  SolverParams solver;
  Mechanisms mechanisms;
  std::vector<FieldSpec> fields;
  /// The [compare] table, when the config has one (`regensim compare` needs it).
  std::optional<CompareParams> compare;
  /// Where each field's fixed_layer was set (for errors found after setup).
  std::vector<std::string> fixed_layer_where;
};

/// Reads [simulation], [output], [solver], [mechanisms], [fields.*] and [compare] from `root` and
/// validates them (including the explicit solver's stability limit). Leaves [rules] to
/// the caller. Throws ConfigError naming file, line and key.
RunConfig read_run_config(ConfigTable& root);

}  // namespace regensim::sim
