#pragma once
/// The files of a sweep directory and its manifest (DIR/manifest.tsv): one row per run
/// with id, status, seed, the swept parameters, output path and error. The output files
/// are the truth: a run is done only when its file's root attribute status is
/// "complete", which the writer sets last. The manifest is a readable index rebuilt from
/// them whenever the sweep runs.
#include <string>
#include <vector>

#include "sim/sweep/sweep_spec.hpp"

namespace regensim::sim {

/// Where a run's files live: DIR/runs/<id>.h5, its checkpoint beside it, DIR/logs/<id>.log.
struct RunFiles {
  std::string output;
  std::string checkpoint;
  std::string log;
};
RunFiles run_files(const std::string& dir, const std::string& run_id);

/// The root "status" attribute of an output file; "" when the file is missing or
/// unreadable (e.g. killed while its header was being written).
std::string output_status(const std::string& path);

/// Status of a run from its files: "complete"; "interrupted" (a checkpoint to resume
/// from); "failed" (an output that is neither); "pending" (nothing yet).
std::string run_status(const RunFiles& files);

struct ManifestRow {
  std::string id;
  std::string status;
  std::string seed;
  std::vector<std::string> values;  // one per parameter, TOML text
  std::string output;               // relative to the sweep directory
  std::string error;
};

struct Manifest {
  std::vector<std::string> parameters;
  std::vector<ManifestRow> rows;
};

std::string manifest_path(const std::string& dir);
/// Rows for `spec`'s runs with the given statuses and errors (one each).
Manifest make_manifest(const SweepSpec& spec, const std::vector<std::string>& statuses,
                       const std::vector<std::string>& errors);
/// Writes DIR/manifest.tsv atomically (temporary file and rename). Throws IoError.
void write_manifest(const std::string& dir, const Manifest& manifest);
/// Reads DIR/manifest.tsv. Throws InputError if it is missing or malformed.
Manifest read_manifest(const std::string& dir);
/// Throws InputError when `existing` describes other runs than `spec` (another sweep
/// written to the same directory).
void check_same_sweep(const Manifest& existing, const SweepSpec& spec, const std::string& dir);

}  // namespace regensim::sim
