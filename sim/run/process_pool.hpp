#pragma once
/// Runs child processes, at most `jobs` at a time: the way `compare` and `sweep` run
/// many simulations side by side. A child is a separate process, so runs share no
/// state and a crash in one cannot corrupt another.
#include <functional>
#include <string>
#include <vector>

namespace regensim::sim {

struct ProcessJob {
  std::vector<std::string> argv;  // argv[0] is the program path
  std::string log_path;           // stdout and stderr of the child (empty: inherited)
  std::string working_dir{};      // the child's working directory (empty: the parent's);
                                  // log_path is opened before the change, argv after it
};

struct ProcessResult {
  int exit_code = -1;  // the child's exit status; 128 + signal number if it was killed
};

/// Path of the running executable (/proc/self/exe), to start more of ourselves.
std::string self_executable();

/// Runs every job, at most `jobs` (>= 1) at once, starting them in list order.
/// `on_done(index, result)` is called in the parent as each job ends (in completion
/// order). Once `keep_starting` (when given) returns false, no further job starts and
/// those left keep exit_code -1; running ones are waited for. Returns the results in job
/// order. Throws std::runtime_error if a child cannot be started.
std::vector<ProcessResult> run_processes(
    const std::vector<ProcessJob>& list, int jobs,
    const std::function<void(std::size_t, const ProcessResult&)>& on_done = {},
    const std::function<bool()>& keep_starting = {});

}  // namespace regensim::sim
