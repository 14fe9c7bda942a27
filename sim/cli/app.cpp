#include "sim/cli/app.hpp"

#include <omp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <memory>

#include "regensim/version.hpp"
#include "sim/cli/compare_command.hpp"
#include "sim/cli/sweep_command.hpp"
#include "sim/config/config_table.hpp"
#include "sim/core/error.hpp"
#include "sim/core/format.hpp"
#include "sim/io/output_writer.hpp"
#include "sim/io/xdmf.hpp"
#include "sim/rules/registry.hpp"
#include "sim/run/checkpoint.hpp"
#include "sim/run/runner.hpp"
#include "sim/run/simulation.hpp"
#include "sim/run/stop_signal.hpp"

namespace regensim::cli {

namespace {

struct Options {
  std::string config;
  std::string output;
  std::vector<std::string> overrides;
  int threads = 0;
  bool quiet = false;
  bool overwrite = false;
  std::string restart;                  // checkpoint to continue from
  double checkpoint_every_hours = 0.0;  // wall clock; 0: only on SIGINT/SIGTERM
  std::string info_file;
};

sim::ConfigDocument load_config(const Options& o) {
  auto doc = sim::ConfigDocument::from_file(o.config);
  for (const auto& s : o.overrides) doc.apply_override(s);
  return doc;
}

sim::RuleRegistry make_registry() {
  sim::RuleRegistry registry;
  sim::register_models(registry);
  return registry;
}

int cmd_check(const Options& o, std::ostream& out) {
  auto doc = load_config(o);
  const auto registry = make_registry();
  const auto simulation = sim::Simulation::build(doc, registry);
  const auto& c = simulation->config();
  const auto& lat = simulation->world().lattice();
  out << "# " << o.config << ": valid\n";
  out << "# lattice " << lat.nx() << " x " << lat.ny() << " x " << lat.nz() << " voxels of "
      << lat.voxel_size_um() << " um (" << (lat.is_2d() ? "2D" : "3D") << "), "
      << c.simulation.steps << " steps of " << c.simulation.step_minutes << " min\n";
  out << "# after setup: " << simulation->world().agents().size() << " agents, "
      << simulation->rules().size() << " rules, " << simulation->metrics().size() << " metrics\n";
  for (const auto& f : simulation->world().fields()) {
    out << "# field " << f.name() << ": ";
    if (f.spec().quasi_steady) {
      out << "quasi-steady (its steady state solved once per step)\n";
      continue;
    }
    const int substeps = sim::substep_count(c.simulation.step_minutes, f.spec().max_step_min);
    if (!f.spec().exact_steps) {
      out << substeps << " solver sub-steps per step\n";
    } else if (const std::string why = sim::exact_step_obstacle(lat, f); why.empty()) {
      out << "one exact step per step while it has no uptake, else " << substeps
          << " solver sub-steps\n";
    } else {
      out << substeps << " solver sub-steps per step (no exact steps: " << why << ")\n";
    }
  }
  for (const auto& note : simulation->world().notes()) out << "# note: " << note << "\n";
  const auto e = sim::estimate_run(*simulation);
  out << "# estimated memory: " << sim::human_bytes(e.memory_bytes) << "\n";
  out << "# estimated output: " << e.snapshots << " snapshots, at most "
      << sim::human_bytes(e.output_bytes_uncompressed) << " before compression\n";
  out << "# resolved config:\n" << doc.to_toml() << "\n";
  return kExitOk;
}

int cmd_run(const Options& o, std::ostream& out, std::ostream& err) {
  if (o.threads > 0) omp_set_num_threads(o.threads);
  const auto registry = make_registry();
  std::unique_ptr<sim::Simulation> simulation;
  sim::RunRequest request;
  if (!o.restart.empty()) {
    if (!o.config.empty() || !o.overrides.empty() || !o.output.empty() || o.overwrite) {
      throw sim::InputError(
          "run --restart continues the run stored in the checkpoint: give no CONFIG, --set, -o "
          "or --overwrite");
    }
    auto restored = sim::read_checkpoint(o.restart, registry);
    simulation = std::move(restored.simulation);
    request.output_path = restored.output.path;
    request.config_toml = restored.config_toml;
    request.resume_at = restored.output.position;
  } else {
    if (o.config.empty()) throw sim::InputError("run: give a CONFIG file or --restart CHECKPOINT");
    auto doc = load_config(o);
    if (!o.output.empty()) doc.override_string("output.file", o.output);
    simulation = sim::Simulation::build(doc, registry);
    request.output_path = simulation->config().output.file;
    request.overwrite = o.overwrite;
    request.config_toml = doc.to_toml();
  }
  request.show_progress = !o.quiet && isatty(STDERR_FILENO);
  request.checkpoint_path = sim::checkpoint_path_for(request.output_path);
  request.checkpoint_every_s = o.checkpoint_every_hours * 3600.0;

  sim::clear_stop_request();
  sim::install_stop_handlers();
  sim::RunTimes times;
  const auto outcome = sim::run_to_file(*simulation, request, err, &times);
  if (outcome == sim::RunOutcome::Interrupted) {
    err << "regensim: interrupted by signal " << sim::stop_requested() << "; "
        << request.output_path << " is marked 'interrupted'; continue with: regensim run --restart "
        << request.checkpoint_path << "\n";
    return kExitFailure;
  }
  if (!o.quiet) {
    out << "wrote " << request.output_path << " (open "
        << sim::xdmf_sidecar_path(request.output_path) << " in ParaView)\n";
    char line[160];
    std::snprintf(line, sizeof line, "run time %.2f s, of which output %.2f s (%.1f%%)\n",
                  times.total_s, times.output_s,
                  times.total_s > 0.0 ? 100.0 * times.output_s / times.total_s : 0.0);
    out << line;
  }
  return kExitOk;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{"regensim: agent-based simulation of stem-cell therapy for tissue repair"};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string("regensim ") + kSoftwareVersion + " (" + kGitCommit + ")");
  Options o;

  auto* run = app.add_subcommand("run", "Run a simulation and write one HDF5 file");
  run->add_option("config", o.config, "Scenario config (TOML); not with --restart");
  run->add_option("-o,--output", o.output, "Output file (default: output.file in the config)");
  run->add_option("--set", o.overrides, "Override a config key: section.key=value");
  run->add_option("--threads", o.threads, "OpenMP threads (default: OMP_NUM_THREADS or all)")
      ->check(CLI::PositiveNumber);
  run->add_flag("--quiet", o.quiet, "No progress line");
  run->add_flag("--overwrite", o.overwrite, "Replace an existing output file");
  run->add_option("--checkpoint-every", o.checkpoint_every_hours,
                  "Write OUT.checkpoint.h5 every HOURS of wall-clock time (and always on "
                  "SIGINT/SIGTERM)")
      ->check(CLI::PositiveNumber);
  run->add_option("--restart", o.restart, "Continue the run stored in this checkpoint file");

  auto* check = app.add_subcommand("check", "Validate a config, print it resolved with estimates");
  check->add_option("config", o.config, "Scenario config (TOML)")->required();
  check->add_option("--set", o.overrides, "Override a config key: section.key=value");

  CompareOptions compare_options;
  auto* compare = add_compare_command(app, compare_options);
  SweepOptions sweep_options;
  auto* sweep = add_sweep_command(app, sweep_options);
  CollectOptions collect_options;
  auto* collect = add_collect_command(app, collect_options);

  auto* info = app.add_subcommand("info", "Summarise a regensim output file");
  info->add_option("file", o.info_file, "Output file (.h5)")->required();

  std::vector<std::string> argv_rest(args.rbegin(), args.rend() - (args.empty() ? 0 : 1));
  try {
    app.parse(argv_rest);  // CLI11 takes the arguments reversed, without the program name
  } catch (const CLI::Success& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    app.exit(e, out, err);
    return kExitBadInput;
  }

  try {
    if (*run) return cmd_run(o, out, err);
    if (*check) return cmd_check(o, out);
    if (*compare) return cmd_compare(compare_options, out, err);
    if (*sweep) return cmd_sweep(sweep_options, out, err);
    if (*collect) return cmd_collect(collect_options, out, err);
    if (*info) {
      sim::print_file_info(o.info_file, out);
      return kExitOk;
    }
  } catch (const sim::InputError& e) {
    err << "regensim: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    err << "regensim: failed: " << e.what() << "\n";
    return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace regensim::cli
