#pragma once
/// `regensim sweep SWEEP.toml` (run a parameter sweep locally, print it with --dry-run,
/// or write and submit a SLURM job array) and `regensim collect DIR` (gather a sweep's
/// complete runs into one summary). See docs/sweeps.md.
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>

namespace regensim::cli {

struct SweepOptions {
  std::string sweep_file;
  std::string dir;  // default out/<sweep file stem>
  int jobs = 0;     // 0: from --threads and the core count
  int threads = 0;  // 0: cores / jobs, at least 1
  bool dry_run = false;
  bool quiet = false;
  bool slurm = false;
  bool submit = false;
  std::string account, partition, time;  // override [slurm]
  int cpus_per_task = 0;
  int max_parallel = -1;
  long task = -1;  // one array task (what the SLURM script runs)
};

CLI::App* add_sweep_command(CLI::App& app, SweepOptions& o);
/// Exit status: 0 when every run is complete (or the script was written/submitted),
/// 1 when some are not. Throws InputError for bad input before any run starts.
int cmd_sweep(const SweepOptions& o, std::ostream& out, std::ostream& err);

struct CollectOptions {
  std::string dir;
  std::string output;  // default DIR/summary.h5
};

CLI::App* add_collect_command(CLI::App& app, CollectOptions& o);
int cmd_collect(const CollectOptions& o, std::ostream& out, std::ostream& err);

}  // namespace regensim::cli
