#pragma once
/// The regensim command line: run, check, info, compare, sweep, collect, --version. Kept apart from
/// main() so tests can drive it in-process.
#include <ostream>
#include <string>
#include <vector>

namespace regensim::cli {

/// Exit statuses (design.md): 0 success, 2 bad input, 1 anything else (including a run
/// interrupted by SIGINT/SIGTERM).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

/// Runs the command line `args` (args[0] is the program name). Never throws and never
/// calls exit(); every error is reported on `err` and mapped to an exit status.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace regensim::cli
