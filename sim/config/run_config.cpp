#include "sim/config/run_config.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "sim/core/error.hpp"
#include "sim/core/format.hpp"
#include "sim/core/lattice.hpp"

namespace regensim::sim {

namespace {

constexpr double kMinutesPerDay = 24.0 * 60.0;

/// More cell steps than this is a typo, not a simulation (and keeps counts exact in
/// double and int64).
constexpr double kMaxSteps = 1e9;

/// Number of steps of `step` in `span`, which must be a whole multiple (to 1e-9).
std::int64_t whole_steps(ConfigTable& t, const std::string& key, double span, double step) {
  const double n = span / step;
  if (!(n <= kMaxSteps)) t.fail(key, "spans more than 1e9 cell steps");
  const double rounded = std::round(n);
  if (rounded < 1.0 || std::abs(n - rounded) > 1e-9 * std::max(1.0, rounded)) {
    t.fail(key, "must span a whole number (>= 1) of cell steps (simulation.step_minutes)");
  }
  return static_cast<std::int64_t>(rounded);
}

SimulationParams read_simulation(ConfigTable& t) {
  SimulationParams p;
  const auto dims = t.get_int_array("dimensions", 3, between(1, std::numeric_limits<int>::max()));
  for (int i = 0; i < 3; ++i)
    p.dimensions[static_cast<std::size_t>(i)] = static_cast<int>(dims[static_cast<std::size_t>(i)]);
  const double voxels =
      static_cast<double>(dims[0]) * static_cast<double>(dims[1]) * static_cast<double>(dims[2]);
  if (voxels > static_cast<double>(std::numeric_limits<VoxelIndex>::max())) {
    t.fail("dimensions", "the lattice may have at most 2^32 - 1 voxels");
  }
  p.voxel_size_um = t.get_double("voxel_size_um", positive());
  p.duration_days = t.get_double("duration_days", positive());
  p.step_minutes = t.get_double("step_minutes", positive());
  p.seed = static_cast<std::uint64_t>(t.get_int("seed", non_negative()));
  p.steps = whole_steps(t, "duration_days", p.duration_days * kMinutesPerDay, p.step_minutes);
  t.finish();
  return p;
}

SolverParams read_solver(ConfigTable& t) {
  SolverParams p;
  const std::string method =
      t.get_choice("method", {"implicit_lod", "explicit_ftcs"}, "implicit_lod");
  p.method = method == "implicit_lod" ? SolverMethod::ImplicitLod : SolverMethod::ExplicitFtcs;
  p.max_step_min = t.get_double("max_step_min", 1.0, positive());
  // Below 1e-6 the float values' rounding keeps the residual from converging.
  p.steady_tolerance = t.get_double("steady_tolerance", 1e-5, between(1e-6, 0.1));
  const std::string preconditioner =
      t.get_choice("steady_preconditioner", {"jacobi", "multigrid"}, "jacobi");
  p.steady_preconditioner = preconditioner == "multigrid" ? SteadyPreconditioner::Multigrid
                                                          : SteadyPreconditioner::Jacobi;
  p.exact_steps = t.get_bool("exact_steps", false);
  if (p.exact_steps && p.method != SolverMethod::ImplicitLod) {
    t.fail("exact_steps",
           "needs method = \"implicit_lod\" (the explicit reference solver "
           "has no exact step)");
  }
  t.finish();
  return p;
}

Mechanisms read_mechanisms(ConfigTable& t) {
  Mechanisms m;
  m.differentiation = t.get_bool("differentiation", true);
  m.paracrine = t.get_bool("paracrine", true);
  m.angiogenesis = t.get_bool("angiogenesis", true);
  m.inflammation = t.get_bool("inflammation", true);
  m.scar = t.get_bool("scar", true);
  m.hypoxic_vegf = t.get_bool("hypoxic_vegf", true);
  m.antifibrotic = t.get_bool("antifibrotic", true);
  m.vascular_ossification = t.get_bool("vascular_ossification", true);
  t.finish();
  return m;
}

std::string format_minutes(double minutes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g min", minutes);
  return buf;
}

FaceBoundary read_face(ConfigTable& t, const std::string& key, FaceBoundary fallback) {
  if (!t.has(key)) {
    t.accept(key);
    return fallback;
  }
  double value = 0.0;
  const auto word = t.get_number_or_word(key, {"no_flux"}, value);
  if (word) return {BoundaryKind::NoFlux, 0.0f};
  if (value < 0.0) t.fail(key, "a fixed boundary value must be >= 0");
  return {BoundaryKind::FixedValue, static_cast<float>(value)};
}

FieldSpec read_field(ConfigTable& t, const std::string& name, const SimulationParams& sim,
                     const SolverParams& solver, std::string& fixed_where) {
  FieldSpec f;
  f.name = name;
  f.units = t.get_string("units");
  f.diffusion_um2_per_min = t.get_double("diffusion_um2_per_min", non_negative());
  if (t.is_positive_infinity("half_life_min")) {
    t.accept("half_life_min");
    f.decay_per_min = 0.0;
  } else {
    f.decay_per_min = std::log(2.0) / t.get_double("half_life_min", positive());
  }
  f.initial_value = t.get_double("initial_value", 0.0, non_negative());

  ConfigTable b = t.optional_table("boundary");
  const FaceBoundary all = read_face(b, "all", {});
  for (std::size_t i = 0; i < kFaceNames.size(); ++i) f.faces[i] = read_face(b, kFaceNames[i], all);
  b.finish();

  f.fixed_layer = t.get_string("fixed_layer", "");
  fixed_where = t.where("fixed_layer");
  if (!f.fixed_layer.empty()) {
    f.fixed_value = t.get_double("fixed_value", non_negative());  // no silent 0: a sink
  } else if (t.has("fixed_value")) {
    t.fail("fixed_value", "is set but fixed_layer is not; name the tissue layer to hold fixed");
  }
  f.quasi_steady = t.get_bool("quasi_steady", false);
  f.steady_tolerance = solver.steady_tolerance;
  f.steady_preconditioner = solver.steady_preconditioner;
  f.exact_steps = solver.exact_steps;
  if (f.quasi_steady) {
    // Solved to its steady state once per cell step: no sub-steps to choose.
    if (t.has("max_step_min")) {
      t.fail("max_step_min",
             "has no effect on a quasi_steady field (solved to its steady "
             "state once per cell step); remove it or set quasi_steady = false");
    }
    if (solver.method != SolverMethod::ImplicitLod) {
      t.fail("quasi_steady", "needs solver.method = \"implicit_lod\"");
    }
    if (!(f.decay_per_min > 0.0)) {
      t.fail("quasi_steady",
             "needs a finite half_life_min: without decay the steady state "
             "may not exist");
    }
    t.finish();
    return f;
  }
  const bool own_step = t.has("max_step_min");
  f.max_step_min = t.get_double("max_step_min", solver.max_step_min, positive());
  const std::string step_origin = own_step ? "" : " (the default, solver.max_step_min)";

  const double dt_sub = sim.step_minutes / substep_count(sim.step_minutes, f.max_step_min);
  if (solver.method == SolverMethod::ImplicitLod) {
    // The implicit (Douglas) scheme is stable for any step, but with fixed voxels and
    // strong uptake its errors can grow for a while before they decay when
    // r = dt*D/h^2 is large; beyond r = 500 the measured error exceeded 5%
    // (docs/validation.md, "How the step is chosen").
    constexpr double kMaxImplicitR = 500.0;
    const double h2 = sim.voxel_size_um * sim.voxel_size_um;
    const double r = dt_sub * f.diffusion_um2_per_min / h2;
    if (r > kMaxImplicitR) {
      t.fail("max_step_min", "sub-step " + format_minutes(dt_sub) + step_origin +
                                 " gives dt*D/h^2 = " + std::to_string(static_cast<long>(r)) +
                                 " > 500, beyond which the implicit solver loses accuracy; "
                                 "use max_step_min <= " +
                                 format_minutes(kMaxImplicitR * h2 / f.diffusion_um2_per_min));
    }
  } else {
    const Lattice lattice(sim.dimensions[0], sim.dimensions[1], sim.dimensions[2],
                          sim.voxel_size_um);
    const double limit = explicit_stability_limit_min(lattice, f.diffusion_um2_per_min);
    if (dt_sub > limit) {
      t.fail("max_step_min", "the explicit solver is unstable for this field: sub-step " +
                                 format_minutes(dt_sub) + step_origin +
                                 " exceeds h^2/(2*dims*D) = " + format_minutes(limit) +
                                 "; lower max_step_min or use solver.method = \"implicit_lod\"");
    }
  }
  t.finish();
  return f;
}

OutputParams read_output(ConfigTable& t, const SimulationParams& sim,
                         const std::vector<FieldSpec>& fields) {
  OutputParams p;
  p.file = t.get_string("file");
  if (p.file.empty()) t.fail("file", "must not be empty");
  p.every_hours = t.get_double("every_hours", 24.0, positive());
  p.snapshot_every_steps = whole_steps(t, "every_hours", p.every_hours * 60.0, sim.step_minutes);
  p.metrics_every_hours = t.get_double("metrics_every_hours", sim.step_minutes / 60.0, positive());
  p.metrics_every_steps =
      whole_steps(t, "metrics_every_hours", p.metrics_every_hours * 60.0, sim.step_minutes);
  std::vector<std::string> all;
  for (const auto& f : fields) all.push_back(f.name);
  p.fields = t.get_string_array("fields", all);
  for (std::size_t i = 0; i < p.fields.size(); ++i) {
    const std::string& name = p.fields[i];
    for (std::size_t j = 0; j < i; ++j) {
      if (p.fields[j] == name) t.fail("fields", "field '" + name + "' listed twice");
    }
    bool found = false;
    for (const auto& f : fields) found = found || f.name == name;
    if (!found) {
      t.fail("fields", "no field named '" + name + "' (fields: " + join_names(all) + ")");
    }
  }
  t.finish();
  return p;
}

}  // namespace

RunConfig read_run_config(ConfigTable& root) {
  RunConfig c;
  {
    ConfigTable t = root.table("simulation");
    c.simulation = read_simulation(t);
  }
  {
    ConfigTable t = root.optional_table("solver");
    c.solver = read_solver(t);
  }
  {
    ConfigTable t = root.optional_table("mechanisms");
    c.mechanisms = read_mechanisms(t);
  }
  {
    ConfigTable fields = root.optional_table("fields");
    for (const auto& name : fields.keys()) {
      // Field names become HDF5 paths and metric names (mean_<field>).
      if (name.empty() || name.find_first_of("/. \t") != std::string::npos) {
        fields.fail(name, "a field name must be non-empty, without '/', '.' or spaces");
      }
      ConfigTable t = fields.table(name);
      std::string where;
      c.fields.push_back(read_field(t, name, c.simulation, c.solver, where));
      c.fixed_layer_where.push_back(where);
    }
    fields.finish();
  }
  {
    ConfigTable t = root.table("output");
    c.output = read_output(t, c.simulation, c.fields);
  }
  if (root.has("compare")) {
    ConfigTable t = root.table("compare");
    c.compare = read_compare_params(t);
  }
  return c;
}

}  // namespace regensim::sim
