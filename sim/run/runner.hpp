#pragma once
/// Runs a built simulation to its end, writing snapshots and metrics to HDF5, with a
/// progress line on a terminal and a clean stop on SIGINT/SIGTERM.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "sim/io/output_writer.hpp"

#include "sim/run/simulation.hpp"

namespace regensim::sim {

struct RunRequest {
  std::string output_path;  // the .h5 file
  bool overwrite = false;
  bool show_progress = false;  // a carriage-return progress line on `progress`
  std::string config_toml;     // the resolved config, stored in /config
  /// Checkpoint file (checkpoint.hpp), written every `checkpoint_every_s` seconds of wall
  /// clock and on a stop request, and removed when the run completes. Empty: none.
  std::string checkpoint_path;
  double checkpoint_every_s = 0.0;  // 0: only on a stop request
  /// Continue the existing output file from this position (a restart) instead of
  /// creating it.
  std::optional<OutputPosition> resume_at;
  /// Acts as a stop request once the world reaches this step (tests); -1: never.
  std::int64_t stop_at_step = -1;
};

/// Wall-clock seconds of one run_to_file call, and of the part spent writing the output
/// (snapshots, metrics, checkpoints): what the run would cost without its HDF5 output.
struct RunTimes {
  double total_s = 0.0;
  double output_s = 0.0;
};

enum class RunOutcome { Complete, Interrupted };

/// Runs `sim` from its current step to the end. Snapshot and metrics cadences come from
/// the config; the first snapshot is the state after setup and the last one the final
/// state. On a stop request the file is flushed and marked "interrupted", after a
/// checkpoint is written when request.checkpoint_path is set.
/// `times`, when not null, receives the run's wall-clock times.
RunOutcome run_to_file(Simulation& sim, const RunRequest& request, std::ostream& progress,
                       RunTimes* times = nullptr);

}  // namespace regensim::sim
