#pragma once
/// `regensim compare CONFIG`: the differentiation x paracrine factorial with replicates,
/// run as child `regensim run` processes, analysed into DIR/compare.h5, DIR/compare.csv
/// and a printed table (docs/compare.md).
#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace regensim::cli {

struct CompareOptions {
  std::string config;
  std::vector<std::string> overrides;  // --set, applied to every arm
  int replicates = 10;
  int jobs = 0;        // 0: one per core, at most one per run
  int threads = 0;     // 0: cores / jobs, at least 1
  std::string output;  // the comparison's directory; default out/<config stem>_compare
  bool overwrite = false;
  bool quiet = false;
};

/// Declares the subcommand and its options on `app`; they fill `o`.
CLI::App* add_compare_command(CLI::App& app, CompareOptions& o);

/// Runs the comparison. Throws InputError (exit 2) for bad input, before any run starts;
/// other failures (a run that fails) throw std::runtime_error.
int cmd_compare(const CompareOptions& o, std::ostream& out, std::ostream& err);

}  // namespace regensim::cli
