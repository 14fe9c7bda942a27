#include "sim/sweep/sweep_runner.hpp"

#include "sim/core/format.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sim/core/error.hpp"
#include "sim/run/process_pool.hpp"
#include "sim/run/stop_signal.hpp"
#include "sim/sweep/manifest.hpp"

namespace regensim::sim {

namespace {

/// The last non-empty line of a run's log: its error message, when it failed.
std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \r\t") != std::string::npos) last = line;
  }
  return last;
}

}  // namespace

std::vector<std::string> run_command(const std::string& executable, const SweepSpec& spec,
                                     const SweepRun& run, const std::string& dir, int threads) {
  const RunFiles files = run_files(dir, run.id);
  std::vector<std::string> argv = {executable, "run"};
  std::error_code ec;
  if (std::filesystem::exists(files.checkpoint, ec)) {
    argv.insert(argv.end(), {"--restart", files.checkpoint});
  } else {
    argv.push_back(spec.base_config);
    for (const Override& o : run.overrides) argv.insert(argv.end(), {"--set", o.assignment()});
    argv.insert(argv.end(), {"-o", files.output, "--overwrite"});
  }
  argv.push_back("--quiet");
  if (threads > 0) argv.insert(argv.end(), {"--threads", std::to_string(threads)});
  if (spec.checkpoint_every_hours > 0.0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", spec.checkpoint_every_hours);
    argv.insert(argv.end(), {"--checkpoint-every", buf});
  }
  return argv;
}

std::vector<std::string> prepare_sweep_dir(const SweepSpec& spec, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(manifest_path(dir), ec)) check_same_sweep(read_manifest(dir), spec, dir);
  for (const char* sub : {"runs", "logs"}) {
    fs::create_directories(fs::path(dir) / sub, ec);
    if (ec) throw IoError(dir + ": cannot create " + sub + "/: " + ec.message());
  }
  std::vector<std::string> statuses;
  for (const SweepRun& run : spec.runs) statuses.push_back(run_status(run_files(dir, run.id)));
  write_manifest(dir, make_manifest(spec, statuses, std::vector<std::string>(statuses.size())));
  return statuses;
}

int run_sweep_locally(const SweepSpec& spec, const LocalSweepOptions& options, std::ostream& out,
                      std::ostream& err) {
  const std::string& dir = options.dir;
  std::vector<std::string> statuses = prepare_sweep_dir(spec, dir);
  std::vector<std::string> errors(statuses.size());
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i] != "complete") todo.push_back(i);
  }
  const std::size_t already = statuses.size() - todo.size();
  if (!options.quiet) {
    out << "sweep: " << spec.runs.size() << " runs, " << already << " already complete, "
        << todo.size() << " to run (" << options.jobs << " at a time, " << options.threads
        << " threads each)\n"
        << std::flush;
  }

  const std::string exe = self_executable();
  std::vector<ProcessJob> jobs;
  for (const std::size_t i : todo) {
    const SweepRun& run = spec.runs[i];
    jobs.push_back({run_command(exe, spec, run, dir, options.threads), run_files(dir, run.id).log});
    statuses[i] = "running";
  }
  write_manifest(dir, make_manifest(spec, statuses, errors));

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::size_t done = 0, failed = 0;
  const auto show = [&] {
    if (!options.progress) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double eta =
        done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(todo.size() - done)
                 : -1.0;
    err << "\rruns " << already + done - failed << "/" << spec.runs.size() << " complete, "
        << failed << " failed | elapsed " << sim::format_duration(elapsed) << " | ETA "
        << sim::format_duration(eta) << " " << std::flush;
  };
  show();

  clear_stop_request();
  install_stop_handlers();
  run_processes(
      jobs, options.jobs,
      [&](std::size_t k, const ProcessResult& result) {
        const std::size_t i = todo[k];
        const RunFiles files = run_files(dir, spec.runs[i].id);
        statuses[i] = run_status(files);
        errors[i].clear();
        if (statuses[i] != "complete") {
          ++failed;
          errors[i] = "exit " + std::to_string(result.exit_code) + ": " + last_line(files.log);
          const bool restarted = jobs[k].argv.size() > 2 && jobs[k].argv[2] == "--restart";
          if (restarted && result.exit_code == 2) {
            // An unusable checkpoint (or output torn by a crash): set it aside so that
            // the next attempt starts afresh.
            std::error_code ec;
            std::filesystem::rename(files.checkpoint, files.checkpoint + ".bad", ec);
            statuses[i] = "failed";
            errors[i] += " (checkpoint set aside as .bad; the next sweep starts afresh)";
          }
        }
        ++done;
        write_manifest(dir, make_manifest(spec, statuses, errors));
        show();
      },
      [] { return stop_requested() == 0; });
  if (options.progress) err << "\n";

  // Runs never started (a stop request) keep their earlier status.
  for (const std::size_t i : todo) {
    if (statuses[i] == "running") statuses[i] = run_status(run_files(dir, spec.runs[i].id));
  }
  write_manifest(dir, make_manifest(spec, statuses, errors));
  int incomplete = 0;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    if (statuses[i] == "complete") continue;
    ++incomplete;
    if (!options.quiet) {
      err << "sweep: " << spec.runs[i].id << " " << statuses[i]
          << (errors[i].empty() ? "" : ": " + errors[i]) << "\n";
    }
  }
  if (!options.quiet) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    out << "sweep: " << statuses.size() - static_cast<std::size_t>(incomplete) << " of "
        << statuses.size() << " runs complete in " << dir << " (" << sim::format_duration(elapsed)
        << "); manifest " << manifest_path(dir) << "\n";
    if (incomplete > 0) out << "sweep: run the same command again to resume\n";
  }
  return incomplete;
}

}  // namespace regensim::sim
