#include "sim/sweep/slurm.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "sim/core/error.hpp"
#include "sim/run/process_pool.hpp"
#include "sim/sweep/manifest.hpp"
#include "sim/sweep/sweep_runner.hpp"

namespace regensim::sim {

namespace {

/// Single-quoted for the shell.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

std::string slurm_script(const SweepSpec& spec, const SlurmSettings& s,
                         const std::string& sweep_file, const std::string& dir,
                         const std::string& executable) {
  std::ostringstream o;
  const std::size_t n = spec.runs.size();
  o << "#!/bin/bash\n"
    << "# regensim sweep " << sweep_file << ": one array task per run (" << n << " runs).\n"
    << "# Written by `regensim sweep --slurm`; submitting it again resumes the sweep: complete\n"
    << "# runs end at once, interrupted ones continue from their checkpoints.\n"
    << "#SBATCH --job-name=regensim-" << std::filesystem::path(sweep_file).stem().string() << "\n"
    << "#SBATCH --array=0-" << (n == 0 ? 0 : n - 1);
  if (s.max_parallel > 0) o << "%" << s.max_parallel;
  o << "\n#SBATCH --cpus-per-task=" << s.cpus_per_task << "\n"
    << "#SBATCH --time=" << s.time << "\n";
  if (!s.account.empty()) o << "#SBATCH --account=" << s.account << "\n";
  if (!s.partition.empty()) o << "#SBATCH --partition=" << s.partition << "\n";
  o << "#SBATCH --output=" << dir << "/logs/slurm-%A_%a.out\n"
    << "# SIGTERM to the task 60 s before its time limit: the run writes a checkpoint.\n"
    << "#SBATCH --signal=B:TERM@60\n"
    << "exec " << quoted(executable) << " sweep " << quoted(sweep_file) << " -o " << quoted(dir)
    << " --task \"$SLURM_ARRAY_TASK_ID\"\n";
  return o.str();
}

std::string submit_slurm_script(const std::string& script_path) {
  const std::string command = "sbatch --parsable " + quoted(script_path) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw IoError("cannot run sbatch");
  std::string output;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  const int status = pclose(pipe);
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  if (status != 0) {
    throw IoError("sbatch " + script_path + " failed" +
                  (output.empty() ? std::string(" (is SLURM installed?)") : ": " + output));
  }
  // --parsable prints "jobid" or "jobid;cluster".
  return output.substr(0, output.find(';'));
}

int slurm_task_threads(int fallback) {
  const char* value = std::getenv("SLURM_CPUS_PER_TASK");
  if (value == nullptr || *value == '\0') return fallback;
  char* end = nullptr;
  const long n = std::strtol(value, &end, 10);
  if (*end != '\0' || n < 1 || n > 4096) {
    throw InputError(std::string("SLURM_CPUS_PER_TASK = '") + value + "': not a thread count");
  }
  return static_cast<int>(n);
}

int run_sweep_task(const SweepSpec& spec, const std::string& dir, long index, int threads,
                   std::ostream& out) {
  if (index < 0 || static_cast<std::size_t>(index) >= spec.runs.size()) {
    throw InputError("--task " + std::to_string(index) + ": the sweep has runs 0 to " +
                     std::to_string(spec.runs.size()) + " - 1");
  }
  const SweepRun& run = spec.runs[static_cast<std::size_t>(index)];
  const RunFiles files = run_files(dir, run.id);
  if (run_status(files) == "complete") {
    out << run.id << ": already complete\n";
    return 0;
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(files.log).parent_path(), ec);
  std::filesystem::create_directories(std::filesystem::path(files.output).parent_path(), ec);
  const auto argv = run_command(self_executable(), spec, run, dir, threads);
  out << run.id << ": " << (argv[2] == "--restart" ? "resuming from its checkpoint" : "starting")
      << " with " << threads << " threads; log " << files.log << "\n"
      << std::flush;
  const int fd = ::open(files.log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) throw IoError(files.log + ": cannot open log");
  ::dup2(fd, STDOUT_FILENO);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execv(args[0], args.data());
  throw IoError("cannot start " + argv[0]);
}

}  // namespace regensim::sim
