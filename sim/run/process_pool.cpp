#include "sim/run/process_pool.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>

extern char** environ;

namespace regensim::sim {

namespace {

pid_t start(const ProcessJob& job) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!job.log_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, job.log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  }
  // After the log is open, so a relative log path names the parent's directory.
  if (!job.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, job.working_dir.c_str());
  }
  std::vector<char*> argv;
  for (const auto& a : job.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    throw std::runtime_error("cannot start " + job.argv[0] + ": " + std::strerror(rc));
  }
  return pid;
}

}  // namespace

std::string self_executable() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error("cannot read /proc/self/exe");
  return std::string(buf, static_cast<std::size_t>(n));
}

std::vector<ProcessResult> run_processes(
    const std::vector<ProcessJob>& list, int jobs,
    const std::function<void(std::size_t, const ProcessResult&)>& on_done,
    const std::function<bool()>& keep_starting) {
  if (jobs < 1) throw std::invalid_argument("run_processes: jobs must be >= 1");
  std::vector<ProcessResult> results(list.size());
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0;
  const auto may_start = [&] { return !keep_starting || keep_starting(); };
  while ((next < list.size() && may_start()) || !running.empty()) {
    while (next < list.size() && running.size() < static_cast<std::size_t>(jobs) && may_start()) {
      running[start(list[next])] = next;
      ++next;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;  // not one of ours
    ProcessResult& r = results[it->second];
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (on_done) on_done(it->second, r);
    running.erase(it);
  }
  return results;
}

}  // namespace regensim::sim
