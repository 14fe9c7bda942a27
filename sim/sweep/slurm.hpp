#pragma once
/// SLURM job arrays for a sweep: one array task per run. Each task runs
/// `regensim sweep SWEEP -o DIR --task $SLURM_ARRAY_TASK_ID`, which skips a complete run,
/// resumes one from its checkpoint, or starts it, with SLURM_CPUS_PER_TASK threads.
#include <string>
#include <vector>

#include "sim/sweep/sweep_spec.hpp"

namespace regensim::sim {

/// The batch script text. `sweep_file`, `dir` and `executable` should be absolute (tasks
/// start in another working directory).
std::string slurm_script(const SweepSpec& spec, const SlurmSettings& settings,
                         const std::string& sweep_file, const std::string& dir,
                         const std::string& executable);

/// Calls `sbatch --parsable SCRIPT` and returns the job id. Throws IoError with sbatch's
/// message when it fails or is not installed.
std::string submit_slurm_script(const std::string& script_path);

/// Threads for an array task: SLURM_CPUS_PER_TASK when set (a positive integer), else
/// `fallback`. Throws InputError on a malformed value.
int slurm_task_threads(int fallback);

/// Runs one task of the array in this process: returns 0 at once when run `index` is
/// complete; else replaces this process (execv) with its `regensim run` command, stdout
/// and stderr appended to the run's log. Throws InputError for an index out of range.
int run_sweep_task(const SweepSpec& spec, const std::string& dir, long index, int threads,
                   std::ostream& out);

}  // namespace regensim::sim
