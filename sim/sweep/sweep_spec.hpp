#pragma once
/// A sweep file (docs/sweeps.md): a base config and a design over dotted config keys,
/// expanded into the list of runs. Reading it checks every key and value against the
/// base config, so a typo fails before any run starts.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/rules/registry.hpp"

namespace regensim::sim {

/// One config override: a dotted key and a value in TOML syntax (as for --set).
struct Override {
  std::string key;
  std::string value;
  std::string assignment() const { return key + "=" + value; }
};

struct SweepRun {
  std::string id;  // "run_0007": index, zero-padded to the sweep's width
  std::int64_t seed = 0;
  std::vector<std::string> parameter_values;  // TOML text, one per SweepSpec::parameters
  /// Everything --set gets: the sweep's fixed values, the run's parameters, the seed.
  std::vector<Override> overrides;
};

/// [slurm] (each also a command-line option; the option wins).
struct SlurmSettings {
  std::string account;
  std::string partition;
  std::string time = "01:00:00";  // per array task, as sbatch --time
  int cpus_per_task = 1;
  int max_parallel = 0;  // the %M of --array=0-N%M; 0: no limit
};

struct SweepSpec {
  std::string file;                     // the sweep file as given
  std::string base_config;              // absolute path
  std::vector<std::string> parameters;  // swept keys: grid keys, then sampled keys
  /// Values of each parameter that validate_sweep() tries: a grid's list, a range's ends.
  std::vector<std::vector<std::string>> parameter_checks;
  std::vector<Override> fixed;  // [sweep.set]: the same in every run
  std::vector<SweepRun> runs;
  double checkpoint_every_hours = 0.0;  // wall clock, passed to each run; 0: only on signals
  SlurmSettings slurm;
};

/// Reads a sweep file. Runs are numbered point-major: every replicate seed of design
/// point 0, then of point 1, ...; the design is the full grid crossed with the sample
/// points. Throws ConfigError naming the file, line and key for a bad sweep file.
SweepSpec read_sweep(const std::string& path);

/// Checks every override of the design against the base config by building it (Setup
/// included): run 0 in full, and each parameter_checks value alone. Throws ConfigError
/// naming the sweep file and key on failure.
void validate_sweep(const SweepSpec& spec, const RuleRegistry& registry);

}  // namespace regensim::sim
