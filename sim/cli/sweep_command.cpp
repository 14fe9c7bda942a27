#include "sim/cli/sweep_command.hpp"

#include <omp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "sim/cli/app.hpp"
#include "sim/core/error.hpp"
#include "sim/core/format.hpp"
#include "sim/run/process_pool.hpp"
#include "sim/run/simulation.hpp"
#include "sim/sweep/manifest.hpp"
#include "sim/sweep/slurm.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace regensim::cli {

namespace {

namespace fs = std::filesystem;

/// Runs at a time and threads per run, so that their product fits the machine.
std::pair<int, int> plan_cores(const SweepOptions& o, std::size_t runs) {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  int jobs = o.jobs, threads = o.threads;
  if (jobs == 0 && threads == 0) threads = 1;
  if (jobs == 0) jobs = std::max(1, cores / threads);
  if (threads == 0) threads = std::max(1, cores / jobs);
  jobs = std::min<int>(jobs, static_cast<int>(std::max<std::size_t>(runs, 1)));
  if (jobs * threads > cores) {
    throw sim::InputError("--jobs " + std::to_string(jobs) + " x --threads " +
                          std::to_string(threads) + " = " + std::to_string(jobs * threads) +
                          " exceeds the " + std::to_string(cores) + " cores of this machine");
  }
  return {jobs, threads};
}

/// Builds run 0 and times a few steps on one thread: the basis of the estimates.
void print_estimate(const sim::SweepSpec& spec, const sim::RuleRegistry& registry, std::size_t todo,
                    std::ostream& out) {
  auto doc = sim::ConfigDocument::from_file(spec.base_config);
  for (const auto& ov : spec.runs.front().overrides) doc.apply_override(ov.assignment());
  auto simulation = sim::Simulation::build(doc, registry);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const std::int64_t steps = simulation->config().simulation.steps;
  const std::int64_t probe = std::min<std::int64_t>(steps, 5);
  const auto start = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < probe; ++i) simulation->step();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  omp_set_num_threads(saved);
  const double per_run_h =
      probe > 0 ? seconds / static_cast<double>(probe) * static_cast<double>(steps) / 3600.0 : 0.0;
  const auto e = sim::estimate_run(*simulation);
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "%.3g core-hours for the %zu runs to do (%.3g per run, from %lld steps of %s)",
                per_run_h * static_cast<double>(todo), todo, per_run_h,
                static_cast<long long>(probe), spec.runs.front().id.c_str());
  out << "estimated time: " << buf << "\n";
  out << "estimated output: at most "
      << sim::human_bytes(e.output_bytes_uncompressed * static_cast<double>(spec.runs.size()))
      << " before compression (" << sim::human_bytes(e.output_bytes_uncompressed) << " per run)\n";
}

void print_runs(const sim::SweepSpec& spec, std::ostream& out) {
  constexpr std::size_t kShown = 12;
  out << "id\tseed";
  for (const auto& p : spec.parameters) out << "\t" << p;
  out << "\n";
  for (std::size_t i = 0; i < spec.runs.size() && i < kShown; ++i) {
    const auto& r = spec.runs[i];
    out << r.id << "\t" << r.seed;
    for (const auto& v : r.parameter_values) out << "\t" << v;
    out << "\n";
  }
  if (spec.runs.size() > kShown) out << "... (" << spec.runs.size() - kShown << " more)\n";
}

int write_slurm(const SweepOptions& o, const sim::SweepSpec& spec, const std::string& dir,
                std::ostream& out) {
  sim::SlurmSettings s = spec.slurm;
  if (!o.account.empty()) s.account = o.account;
  if (!o.partition.empty()) s.partition = o.partition;
  if (!o.time.empty()) s.time = o.time;
  if (o.cpus_per_task > 0) s.cpus_per_task = o.cpus_per_task;
  if (o.max_parallel >= 0) s.max_parallel = o.max_parallel;
  sim::prepare_sweep_dir(spec, dir);
  const std::string abs_dir = fs::absolute(dir).lexically_normal().string();
  const std::string script = (fs::path(abs_dir) / "sweep.slurm").string();
  {
    std::ofstream f(script);
    f << sim::slurm_script(spec, s, fs::absolute(spec.file).lexically_normal().string(), abs_dir,
                           sim::self_executable());
    if (!f.flush()) throw sim::IoError(script + ": cannot write");
  }
  fs::permissions(script, fs::perms::owner_exec, fs::perm_options::add);
  out << "wrote " << script << " (" << spec.runs.size() << " array tasks, " << s.cpus_per_task
      << " cpus each)\n";
  if (!o.submit) {
    out << "submit with: sbatch " << script << "\n";
    return kExitOk;
  }
  out << "submitted job " << sim::submit_slurm_script(script) << "\n";
  return kExitOk;
}

}  // namespace

CLI::App* add_sweep_command(CLI::App& app, SweepOptions& o) {
  auto* s = app.add_subcommand("sweep", "Run a parameter sweep (locally or as a SLURM job array)");
  s->add_option("sweep", o.sweep_file, "Sweep file (TOML, docs/sweeps.md)")->required();
  s->add_option("-o,--output", o.dir, "Sweep directory (default: out/<sweep file stem>)");
  s->add_option("--jobs", o.jobs, "Runs at a time (default: cores / threads)")
      ->check(CLI::PositiveNumber);
  s->add_option("--threads", o.threads, "Threads per run (default: cores / jobs, at least 1)")
      ->check(CLI::PositiveNumber);
  s->add_flag("--dry-run", o.dry_run, "Print the runs and estimates; run nothing");
  s->add_flag("--quiet", o.quiet, "No progress line or summary");
  s->add_flag("--slurm", o.slurm, "Write DIR/sweep.slurm, a job array with one task per run");
  s->add_flag("--submit", o.submit, "With --slurm: submit it with sbatch");
  s->add_option("--account", o.account, "With --slurm: sbatch --account");
  s->add_option("--partition", o.partition, "With --slurm: sbatch --partition");
  s->add_option("--time", o.time, "With --slurm: time limit per task (e.g. 02:00:00)");
  s->add_option("--cpus-per-task", o.cpus_per_task, "With --slurm: threads per task")
      ->check(CLI::PositiveNumber);
  s->add_option("--max-parallel", o.max_parallel, "With --slurm: tasks at a time (%M)")
      ->check(CLI::NonNegativeNumber);
  s->add_option("--task", o.task, "Run one run by index (what each SLURM array task does)")
      ->check(CLI::NonNegativeNumber);
  return s;
}

int cmd_sweep(const SweepOptions& o, std::ostream& out, std::ostream& err) {
  if (o.submit && !o.slurm) throw sim::InputError("--submit needs --slurm");
  const sim::SweepSpec spec = sim::read_sweep(o.sweep_file);
  const std::string dir =
      o.dir.empty() ? (fs::path("out") / fs::path(o.sweep_file).stem()).string() : o.dir;
  if (o.task >= 0) {
    return sim::run_sweep_task(spec, dir, o.task, sim::slurm_task_threads(o.threads), out);
  }
  sim::RuleRegistry registry;
  sim::register_models(registry);
  sim::validate_sweep(spec, registry);
  if (o.slurm) return write_slurm(o, spec, dir, out);
  if (o.dry_run) {
    std::size_t complete = 0;
    for (const auto& r : spec.runs) {
      complete += sim::run_status(sim::run_files(dir, r.id)) == "complete" ? 1 : 0;
    }
    out << spec.runs.size() << " runs (" << spec.parameters.size() << " swept parameters); "
        << complete << " already complete in " << dir << "\n";
    print_runs(spec, out);
    if (!spec.runs.empty()) print_estimate(spec, registry, spec.runs.size() - complete, out);
    const auto [jobs, threads] = plan_cores(o, spec.runs.size());
    out << "would run " << jobs << " at a time with " << threads << " threads each\n";
    return kExitOk;
  }
  const auto [jobs, threads] = plan_cores(o, spec.runs.size());
  sim::LocalSweepOptions local;
  local.dir = dir;
  local.jobs = jobs;
  local.threads = threads;
  local.quiet = o.quiet;
  local.progress = !o.quiet && isatty(STDERR_FILENO);
  return sim::run_sweep_locally(spec, local, out, err) == 0 ? kExitOk : kExitFailure;
}

}  // namespace regensim::cli
