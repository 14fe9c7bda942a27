#pragma once
/// Runs the runs of a sweep that are not complete yet: locally as child processes
/// (`regensim run`, J at a time), or one at a time as a SLURM array task. A run restarts
/// from its checkpoint when it has one; every other unfinished run starts afresh.
#include <ostream>
#include <string>
#include <vector>

#include "sim/sweep/sweep_spec.hpp"

namespace regensim::sim {

/// The `regensim run` command line for one run: `run --restart CHECKPOINT` when the
/// run's checkpoint exists, else `run BASE --set ... -o OUTPUT --overwrite` (the output is
/// the sweep's own, and not complete). `threads` > 0 is passed as --threads.
std::vector<std::string> run_command(const std::string& executable, const SweepSpec& spec,
                                     const SweepRun& run, const std::string& dir, int threads);

struct LocalSweepOptions {
  std::string dir;
  int jobs = 1;           // runs at a time
  int threads = 1;        // OpenMP threads per run
  bool progress = false;  // a progress line (terminal)
  bool quiet = false;     // no summary
};

/// Runs every incomplete run of `spec` into options.dir, writing DIR/manifest.tsv as runs
/// end. SIGINT/SIGTERM (installed here) stop new runs from starting; running ones
/// checkpoint and stop. Returns the number of runs not complete at the end.
int run_sweep_locally(const SweepSpec& spec, const LocalSweepOptions& options, std::ostream& out,
                      std::ostream& err);

/// Prepares DIR (runs/, logs/) and checks it holds no other sweep; returns each run's
/// status from its files and writes the manifest.
std::vector<std::string> prepare_sweep_dir(const SweepSpec& spec, const std::string& dir);

}  // namespace regensim::sim
