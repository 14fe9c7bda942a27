#pragma once
/// Checkpoints: the whole state of a run in one HDF5 file, so a run stopped by a cluster
/// time limit (SIGTERM) or a crash continues where it was and gives the same output as a
/// run that never stopped (docs/output-format.md, "Checkpoint file").
///
/// A checkpoint holds the world (step, fields, tissue layers, agents with next_id,
/// counters), the field balances, the solver's carried state, the resolved config and
/// where the output file stood. Rules keep no state across steps outside the world (the
/// engine's contract, rule.hpp), so this is everything the next step depends on.
#include <memory>
#include <string>

#include "sim/io/output_writer.hpp"
#include "sim/rules/registry.hpp"
#include "sim/run/simulation.hpp"

namespace regensim::sim {

/// The checkpoint that belongs to an output file: "out/a.h5" -> "out/a.checkpoint.h5".
std::string checkpoint_path_for(const std::string& output_path);

/// Where the run's output stood when the checkpoint was taken.
struct CheckpointOutput {
  std::string path;  // the output .h5 file
  OutputPosition position;
};

/// Writes the state of `sim` to `path` atomically: a temporary file beside it, synced to
/// disk, then renamed over `path`, so a crash while writing leaves the previous checkpoint
/// intact. `config_toml` is the resolved config the run was built from. Throws IoError.
void write_checkpoint(const std::string& path, const Simulation& sim,
                      const std::string& config_toml, const CheckpointOutput& output);

struct RestoredRun {
  std::unique_ptr<Simulation> simulation;
  std::string config_toml;
  CheckpointOutput output;
};

/// Rebuilds the simulation from the checkpoint's config (Setup runs as in the original
/// run), then overwrites its state with the checkpoint's. Throws InputError if `path` is
/// not a readable checkpoint or its state does not fit the config (other fields, layers,
/// agent columns or lattice).
RestoredRun read_checkpoint(const std::string& path, const RuleRegistry& registry);

}  // namespace regensim::sim
