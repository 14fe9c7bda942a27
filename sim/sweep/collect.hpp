#pragma once
/// Gathers a sweep's complete runs into one summary (docs/output-format.md, "Sweep
/// summary"): summary.h5 and summary.csv with each run's parameters and final metric
/// values, plus the metric time series. Reads only files whose status is "complete", so
/// it is safe while the sweep is still running.
#include <ostream>
#include <string>
#include <vector>

namespace regensim::sim {

struct CollectResult {
  std::size_t runs = 0;
  std::size_t collected = 0;
  std::vector<std::string> missing;  // "run_0003 (failed: ...)"
  std::string csv_path;
};

/// Reads DIR/manifest.tsv and every complete run, writes `summary_path` (default
/// DIR/summary.h5 when empty) and the CSV beside it (same name, .csv), each atomically.
/// Throws InputError when DIR is not a sweep directory, IoError on write failures.
CollectResult collect_sweep(const std::string& dir, const std::string& summary_path);

}  // namespace regensim::sim
