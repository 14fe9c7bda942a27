#pragma once
/// Runs a built simulation to its end, writing snapshots and metrics to HDF5, with a
/// progress line on a terminal and a clean stop on SIGINT/SIGTERM.
#include <ostream>
#include <string>

#include "sim/run/simulation.hpp"

namespace regensim::sim {

struct RunRequest {
  std::string output_path;  // the .h5 file
  bool overwrite = false;
  bool show_progress = false;  // a carriage-return progress line on `progress`
  std::string config_toml;     // the resolved config, stored in /config
};

enum class RunOutcome { Complete, Interrupted };

/// Runs `sim` from its current step to the end. Snapshot and metrics cadences come from
/// the config; the first snapshot is the state after setup and the last one the final
/// state. On a stop request the file is flushed and marked "interrupted".
RunOutcome run_to_file(Simulation& sim, const RunRequest& request, std::ostream& progress);

}  // namespace regensim::sim
