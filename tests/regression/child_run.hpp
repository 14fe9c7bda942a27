#pragma once
/// The regensim binary as a child process, for tests that signal or kill a running run.
#include <spawn.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace regensim::testing {

/// Starts REGENSIM_BINARY with `args` (the words after the program name); returns the
/// child's pid, or 0 when it could not be started.
inline pid_t spawn_regensim(std::vector<std::string> args) {
  args.insert(args.begin(), REGENSIM_BINARY);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  return posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) == 0 ? pid : 0;
}

/// Waits until `path` exists, checking every `poll`, for at most a minute; returns whether
/// it exists.
inline bool wait_for_file(const std::string& path, std::chrono::milliseconds poll) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(path) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(poll);
  }
  return std::filesystem::exists(path);
}

}  // namespace regensim::testing
