#include "sim/cli/compare_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "sim/cli/app.hpp"
#include "sim/compare/compare_file.hpp"
#include "sim/compare/plan.hpp"
#include "sim/compare/runs.hpp"
#include "sim/compare/summary.hpp"
#include "sim/core/error.hpp"
#include "sim/run/process_pool.hpp"
#include "sim/run/stop_signal.hpp"

namespace regensim::cli {

namespace {

namespace fs = std::filesystem;
namespace cmp = sim::compare;

constexpr const char* kManifest = "compare.manifest";
constexpr const char* kResultH5 = "compare.h5";
constexpr const char* kResultCsv = "compare.csv";
constexpr const char* kScenario = "scenario.toml";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Makes `dir` ready for `plan`. Returns true when it holds an unfinished run of the same
/// comparison, whose complete runs are kept. Never deletes a directory it did not write.
bool prepare_directory(const fs::path& dir, const cmp::ComparePlan& plan, bool overwrite) {
  if (fs::exists(dir)) {
    if (!fs::is_directory(dir))
      throw sim::InputError(dir.string() + ": exists and is not a directory");
    if (!fs::exists(dir / kManifest)) {
      if (!fs::is_empty(dir)) {
        throw sim::InputError(dir.string() +
                              ": exists, is not empty and holds no regensim "
                              "comparison (no " +
                              kManifest + "); choose another -o");
      }
    } else {
      const std::string diff = cmp::first_difference(read_text(dir / kManifest), plan.manifest);
      if (!overwrite && !diff.empty()) {
        throw sim::InputError(dir.string() + ": holds a different comparison (" + diff +
                              "); choose another -o, or pass --overwrite to replace it");
      }
      if (!overwrite && fs::exists(dir / kResultH5)) {
        throw sim::InputError(dir.string() + ": already holds this comparison (" + kResultH5 +
                              "); pass --overwrite to run it again");
      }
      if (!overwrite) return true;
      // Only what a comparison writes; anything else the user put there stays.
      for (const char* name : {kResultH5, kResultCsv, kManifest, kScenario}) fs::remove(dir / name);
      fs::remove_all(dir / "runs");
    }
  }
  for (const auto& arm : plan.arms) fs::create_directories(dir / "runs" / arm.name);
  std::ofstream(dir / kManifest, std::ios::binary) << plan.manifest;
  return false;
}

std::string last_lines(const std::string& path, std::size_t n) {
  std::istringstream in(read_text(path));
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) lines.push_back(l);
  }
  std::string out;
  for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) {
    out += "\n    " + lines[i];
  }
  return out;
}

}  // namespace

CLI::App* add_compare_command(CLI::App& app, CompareOptions& o) {
  auto* c = app.add_subcommand(
      "compare", "Differentiation x paracrine factorial with replicates (docs/compare.md)");
  c->add_option("config", o.config, "Scenario config (TOML) with a [compare] table")->required();
  c->add_option("--replicates", o.replicates, "Replicate seeds per arm (>= 2; default 10)");
  c->add_option("--jobs", o.jobs, "Runs at once (default: one per core)")
      ->check(CLI::PositiveNumber);
  c->add_option("-o,--output", o.output, "Output directory (default: out/<config>_compare)");
  c->add_flag("--overwrite", o.overwrite, "Replace a comparison already in the directory");
  c->add_option("--set", o.overrides, "Override a config key in every arm: section.key=value");
  c->add_option("--threads", o.threads, "OpenMP threads per run (default: cores / jobs)")
      ->check(CLI::PositiveNumber);
  c->add_flag("--quiet", o.quiet, "No progress and no closing summary of files");
  return c;
}

int cmd_compare(const CompareOptions& o, std::ostream& out, std::ostream& err) {
  sim::RuleRegistry registry;
  sim::register_models(registry);
  const cmp::ComparePlan plan = cmp::plan_comparison(o.config, o.overrides, o.replicates, registry);

  const fs::path dir = o.output.empty()
                           ? fs::path("out") / (fs::path(o.config).stem().string() + "_compare")
                           : fs::path(o.output);
  const bool resume = prepare_directory(dir, plan, o.overwrite);
  const fs::path abs_dir = fs::absolute(dir);
  // The runs read a copy, so editing the scenario while they run changes none of them;
  // the manifest (checked above) guards a resumed comparison against an edited one.
  const fs::path scenario = abs_dir / kScenario;
  if (!fs::exists(scenario) || !fs::equivalent(plan.config_path, scenario)) {
    fs::copy_file(plan.config_path, scenario, fs::copy_options::overwrite_existing);
  }

  std::vector<sim::ProcessJob> list;
  std::vector<std::string> labels;
  const std::string exe = sim::self_executable();
  const int total = static_cast<int>(plan.arms.size()) * plan.replicates;
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int jobs = o.jobs > 0 ? o.jobs : std::min(cores, total);
  const int threads = o.threads > 0 ? o.threads : std::max(1, cores / jobs);
  for (const auto& arm : plan.arms) {
    for (int k = 0; k < plan.replicates; ++k) {
      const std::string file = cmp::ComparePlan::run_file(arm.name, k);
      if (resume && cmp::run_complete((abs_dir / file).string())) continue;
      // Run in the comparison's directory with a relative -o, so /config (which names
      // the file written) is the same wherever the comparison lives.
      std::vector<std::string> argv = {exe,           "run",       scenario.string(),
                                       "-o",          file,        "--quiet",
                                       "--overwrite", "--threads", std::to_string(threads)};
      for (const auto& s : plan.user_overrides) argv.insert(argv.end(), {"--set", s});
      for (const auto& s : arm.overrides) argv.insert(argv.end(), {"--set", s});
      argv.insert(argv.end(), {"--set", "simulation.seed=" + std::to_string(plan.seed(k))});
      const std::string log = (abs_dir / file).replace_extension(".log").string();
      list.push_back({std::move(argv), log, abs_dir.string()});
      labels.push_back(arm.name + " replicate " + std::to_string(k));
    }
  }

  const bool progress = !o.quiet && isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  std::size_t done = 0;
  // On SIGINT/SIGTERM no further run starts; those running finish (or, from a terminal's
  // Ctrl-C, stop themselves), and the same command resumes the comparison later.
  sim::clear_stop_request();
  sim::install_stop_handlers();
  const auto on_done = [&](std::size_t, const sim::ProcessResult&) {
    ++done;
    if (!progress) return;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double eta =
        elapsed / static_cast<double>(done) * static_cast<double>(list.size() - done);
    char line[96];
    std::snprintf(line, sizeof line, "\rcompare: %zu/%zu runs done, %.0f s, ETA %.0f s   ", done,
                  list.size(), elapsed, eta);
    err << line << std::flush;
  };
  const auto results =
      sim::run_processes(list, jobs, on_done, [] { return sim::stop_requested() == 0; });
  if (progress && !list.empty()) err << "\n";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (sim::stop_requested() != 0) {
    throw std::runtime_error("interrupted by signal " + std::to_string(sim::stop_requested()) +
                             " after " + std::to_string(done) + " of " +
                             std::to_string(list.size()) +
                             " runs; the same command resumes the comparison");
  }
  std::string failures;
  int failed = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].exit_code == 0) continue;
    if (++failed <= 3) {
      failures += "\n  " + labels[i] + " exited " + std::to_string(results[i].exit_code) + "; " +
                  list[i].log_path + ":" + last_lines(list[i].log_path, 3);
    }
  }
  if (failed > 0) {
    throw std::runtime_error(
        std::to_string(failed) + " of " + std::to_string(list.size()) +
        " runs failed (the same command reruns only the runs not complete):" + failures);
  }

  const cmp::CompareData data = cmp::read_runs(plan, dir.string());
  const cmp::CompareSummary summary = cmp::summarise(plan, data);
  cmp::write_compare_h5((dir / kResultH5).string(), plan, data, summary);
  cmp::write_compare_csv((dir / kResultCsv).string(), plan, data, summary);
  cmp::print_table(out, plan, data, summary);
  if (!o.quiet) {
    char timing[160];
    std::snprintf(timing, sizeof timing, "%zu of %d runs in %.1f s (%d at a time, %d threads each)",
                  list.size(), total, seconds, jobs, threads);
    out << "\n"
        << timing << "\nwrote " << (dir / kResultH5).string() << " and "
        << (dir / kResultCsv).string() << "\n";
  }
  return kExitOk;
}

}  // namespace regensim::cli
