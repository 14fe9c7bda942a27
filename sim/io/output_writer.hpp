#pragma once
/// Writes one run to one HDF5 file (format_version 1, docs/output-format.md) plus an
/// XDMF sidecar (same path, extension .xmf) that ParaView's XDMF Reader opens.
/// The file is flushed after every snapshot, so a killed run leaves a readable file
/// whose root attribute `status` says "running" or "interrupted".
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/core/world.hpp"

namespace regensim::sim {

struct OutputOptions {
  std::string path;                      // the .h5 file
  bool overwrite = false;                // replace an existing file
  std::vector<std::string> field_names;  // fields written at snapshots, in this order
  std::vector<std::string> metric_names;
  std::vector<std::string> metric_units;  // one per metric
  std::uint64_t seed = 0;
  int threads = 1;
  std::string config_toml;  // the resolved config
};

enum class RunStatus { Running, Complete, Interrupted };

/// How far an output file got: complete snapshots and complete metric rows.
struct OutputPosition {
  std::int64_t snapshots = 0;
  std::int64_t metric_rows = 0;
};
const char* to_string(RunStatus status);

class OutputWriter {
 public:
  /// Creates the file with status "running", writes /config and /grid and creates the
  /// extendible datasets for the fields, tissue layers and metrics the world has now.
  /// Throws InputError if the file exists and !overwrite (nothing is touched), IoError
  /// if it cannot be created (e.g. missing directory).
  OutputWriter(const OutputOptions& options, const World& world);
  /// Reopens the existing file of a run restarted from a checkpoint: every dataset is cut
  /// back to `resume_at` (what was written after the checkpoint goes), the status is set
  /// to "running" again. Throws IoError if the file is not a regensim output of this
  /// world or holds less than `resume_at`.
  OutputWriter(const OutputOptions& options, const World& world, OutputPosition resume_at);
  ~OutputWriter();
  OutputWriter(const OutputWriter&) = delete;
  OutputWriter& operator=(const OutputWriter&) = delete;

  /// Appends one snapshot: time_days, every output field, every tissue layer and the
  /// agents group /agents/<k>; flushes the file and rewrites the XDMF sidecar.
  void write_snapshot(const World& world);
  /// Appends one metrics row (values in metric_names order).
  void write_metrics(double time_days, std::span<const double> values);
  /// Sets the status attribute and flushes; the file stays open until destruction.
  void set_status(RunStatus status);

  int snapshot_count() const;
  /// Complete snapshots and metric rows written so far.
  OutputPosition position() const;
  const std::string& xdmf_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Prints a human summary of a regensim file (attributes, shapes, last metrics) for
/// `regensim info`. Throws InputError if it is not a readable regensim file.
void print_file_info(const std::string& path, std::ostream& out);

}  // namespace regensim::sim
