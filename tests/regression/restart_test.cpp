// A run stopped at any step and restarted from its checkpoint writes the same datasets,
// byte for byte, as a run that never stopped (issue 7; checkpoint.hpp).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "sim/rules/registry.hpp"
#include "sim/run/checkpoint.hpp"
#include "sim/run/runner.hpp"
#include "tests/regression/child_run.hpp"
#include "tests/regression/h5_compare.hpp"
#include "tests/test_support.hpp"

namespace regensim {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::TempDir;

using Datasets = std::map<std::string, std::vector<unsigned char>>;

void expect_identical(const Datasets& expected, const Datasets& actual) {
  ASSERT_GT(expected.size(), 20u) << "expected fields, tissue, agents and metrics datasets";
  EXPECT_EQ(expected.size(), actual.size());
  for (const auto& [path, bytes] : expected) {
    ASSERT_TRUE(actual.count(path)) << path << " missing after restart";
    EXPECT_TRUE(bytes == actual.at(path)) << path << " differs after restart";
  }
}

struct Variant {
  bool migration;
  bool quasi_steady;       // oxygen solved quasi-steady (warm-started from the restored values)
  bool multigrid = false;  // ... with the multigrid preconditioner (its cached couplings)
  bool exact = false;      // VEGF by exact steps (its x_low face made no-flux)
};

void PrintTo(const Variant& v, std::ostream* os) {
  *os << (v.migration ? "migration" : "no_migration") << (v.quasi_steady ? "_steady" : "")
      << (v.multigrid ? "_multigrid" : "") << (v.exact ? "_exact" : "");
}

/// The small scenario in 3D; without cell migration the forcing of the fields stays the
/// same from step to step, which is when the solver's carried state decides the result.
std::string scenario(const std::string& out, const Variant& v) {
  std::string text = testing::small_config(out, 4);
  if (!v.migration) {
    text.replace(text.find(", \"migration\"]"), 14, "]");
    text.erase(text.find("[rules.migration]"));
  }
  if (v.quasi_steady) {
    const std::string key = "fixed_value = 38.0\n";
    text.insert(text.find(key) + key.size(), "quasi_steady = true\n");
  }
  if (v.multigrid) {
    const std::string key = "[solver]\n";
    text.insert(text.find(key) + key.size(), "steady_preconditioner = \"multigrid\"\n");
  }
  if (v.exact) {
    const std::string key = "[solver]\n";
    text.insert(text.find(key) + key.size(), "exact_steps = true\n");
    const std::string face = "x_low = 0.0\n";
    text.erase(text.find(face), face.size());
  }
  return text;
}

class Restart : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    config_ = dir_.file("block.toml");
    out_ = dir_.file("run.h5");
    testing::write_file(config_, scenario(dir_.file("unused.h5"), GetParam()));
    const auto r = run_cli({"run", config_, "-o", out_, "--quiet"});
    ASSERT_EQ(r.status, 0) << r.err;
    fs::rename(out_, dir_.file("reference.h5"));
    reference_ = testing::read_all_datasets(dir_.file("reference.h5"));
    registry_.emplace();
    sim::register_models(*registry_);
  }

  /// Runs the config as `regensim run CONFIG -o OUT` does, stopping at `step`.
  void run_until(std::int64_t step) {
    auto doc = sim::ConfigDocument::from_file(config_);
    doc.override_string("output.file", out_);
    auto simulation = sim::Simulation::build(doc, *registry_);
    sim::RunRequest request;
    request.output_path = out_;
    request.config_toml = doc.to_toml();
    request.checkpoint_path = sim::checkpoint_path_for(out_);
    request.stop_at_step = step;
    std::ostringstream progress;
    ASSERT_EQ(sim::run_to_file(*simulation, request, progress), sim::RunOutcome::Interrupted);
  }

  /// Continues from `checkpoint`, stopping at `step` (-1: runs to the end).
  sim::RunOutcome resume(const std::string& checkpoint, std::int64_t step,
                         bool drop_solver_state = false) {
    auto restored = sim::read_checkpoint(checkpoint, *registry_);
    if (drop_solver_state) restored.simulation->solver().restore_carried_state({});
    sim::RunRequest request;
    request.output_path = restored.output.path;
    request.config_toml = restored.config_toml;
    request.resume_at = restored.output.position;
    request.checkpoint_path = sim::checkpoint_path_for(out_);
    request.stop_at_step = step;
    std::ostringstream progress;
    return sim::run_to_file(*restored.simulation, request, progress);
  }

  TempDir dir_;
  std::string config_, out_;
  Datasets reference_;
  std::optional<sim::RuleRegistry> registry_;
};

TEST_P(Restart, StoppedAndRestartedRunMatchesUninterruptedRun) {
  run_until(13);  // between snapshots (every 12 steps) and off the metrics cadence
  const std::string checkpoint = sim::checkpoint_path_for(out_);
  ASSERT_TRUE(fs::exists(checkpoint));
  EXPECT_EQ(testing::read_string_attr(out_, "/", "status"), "interrupted");
  // Keep the step-13 checkpoint, run on to step 31 and stop again: the output now holds
  // more than the step-13 checkpoint knows of, as after a crash between checkpoints.
  fs::copy_file(checkpoint, dir_.file("step13.h5"));
  ASSERT_EQ(resume(checkpoint, 31), sim::RunOutcome::Interrupted);
  EXPECT_NE(testing::read_all_datasets(out_).at("/time_days").size(),
            reference_.at("/time_days").size());

  const auto r = run_cli({"run", "--restart", dir_.file("step13.h5"), "--quiet"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(testing::read_string_attr(out_, "/", "status"), "complete");
  EXPECT_FALSE(fs::exists(checkpoint)) << "a complete run removes its checkpoint";
  expect_identical(reference_, testing::read_all_datasets(out_));
}

TEST_P(Restart, RestartAtStepZeroMatches) {
  run_until(0);
  ASSERT_EQ(resume(sim::checkpoint_path_for(out_), -1), sim::RunOutcome::Complete);
  expect_identical(reference_, testing::read_all_datasets(out_));
}

INSTANTIATE_TEST_SUITE_P(Variants, Restart,
                         ::testing::Values(Variant{true, false}, Variant{false, false},
                                           Variant{true, true}, Variant{true, true, true},
                                           Variant{true, true, false, true},
                                           Variant{false, false, false, true}),
                         [](const auto& param_info) {
                           std::ostringstream os;
                           PrintTo(param_info.param, &os);
                           return os.str();
                         });

// The test has teeth: with cells at rest the solver's graded start depends on the forcing
// it saw last step, and a restart that forgot it would give other fields.
TEST(RestartSolverState, ForgettingTheSolverStateChangesTheFields) {
  const TempDir dir;
  const std::string config = dir.file("c.toml");
  const std::string out = dir.file("run.h5");
  testing::write_file(config, scenario(out, Variant{false, false}));
  auto r = run_cli({"run", config, "-o", out, "--quiet"});
  ASSERT_EQ(r.status, 0) << r.err;
  fs::rename(out, dir.file("reference.h5"));
  const auto reference = testing::read_all_datasets(dir.file("reference.h5"));

  sim::RuleRegistry registry;
  sim::register_models(registry);
  auto doc = sim::ConfigDocument::from_file(config);
  doc.override_string("output.file", out);
  auto simulation = sim::Simulation::build(doc, registry);
  sim::RunRequest request;
  request.output_path = out;
  request.config_toml = doc.to_toml();
  request.checkpoint_path = sim::checkpoint_path_for(out);
  request.stop_at_step = 20;
  std::ostringstream progress;
  ASSERT_EQ(sim::run_to_file(*simulation, request, progress), sim::RunOutcome::Interrupted);

  auto restored = sim::read_checkpoint(request.checkpoint_path, registry);
  EXPECT_FALSE(restored.simulation->solver().carried_state().empty());
  restored.simulation->solver().restore_carried_state({});
  request.resume_at = restored.output.position;
  request.stop_at_step = -1;
  ASSERT_EQ(sim::run_to_file(*restored.simulation, request, progress), sim::RunOutcome::Complete);
  EXPECT_FALSE(testing::read_all_datasets(out).at("/fields/oxygen") ==
               reference.at("/fields/oxygen"));
}

TEST(RestartCli, BadCheckpointOrMixedArgumentsAreBadInput) {
  const TempDir dir;
  const std::string config = dir.file("c.toml");
  testing::write_file(config, testing::small_config(dir.file("c.h5")));
  testing::write_file(dir.file("junk.h5"), "not hdf5");
  auto r = run_cli({"run", "--restart", dir.file("junk.h5"), "--quiet"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("junk.h5"), std::string::npos) << r.err;
  r = run_cli({"run", "--restart", dir.file("missing.h5")});
  EXPECT_EQ(r.status, 2) << r.err;
  r = run_cli({"run", config, "--restart", dir.file("junk.h5")});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--restart"), std::string::npos) << r.err;
  r = run_cli({"run"});
  EXPECT_EQ(r.status, 2) << r.err;
  // An output file is not a checkpoint.
  r = run_cli({"run", config, "--quiet"});
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_cli({"run", "--restart", dir.file("c.h5")});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("not a regensim checkpoint"), std::string::npos) << r.err;
}

// The real thing: SIGTERM from outside (what SLURM sends at a time limit), a checkpoint,
// then the binary restarted with another thread count.
TEST(RestartBinary, SigtermThenRestartMatchesUninterruptedRun) {
  const TempDir dir;
  const std::string config = dir.file("long.toml");
  const std::string out = dir.file("long.h5");
  std::string text = testing::small_config(dir.file("unused.h5"), 4);
  text.replace(text.find("duration_days = 1.0"), 19, "duration_days = 4.0");
  testing::write_file(config, text);
  auto r = run_cli({"run", config, "-o", out, "--quiet", "--threads", "1"});
  ASSERT_EQ(r.status, 0) << r.err;
  fs::rename(out, dir.file("reference.h5"));
  fs::remove(dir.file("long.xmf"));  // its appearance is the signal to stop the next run

  const pid_t pid =
      testing::spawn_regensim({"run", config, "-o", out, "--quiet", "--threads", "1"});
  ASSERT_NE(pid, 0);
  ASSERT_TRUE(testing::wait_for_file(dir.file("long.xmf"), std::chrono::milliseconds(5)));
  kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 1) << "the run ended before the signal; make it longer";
  const std::string checkpoint = dir.file("long.checkpoint.h5");
  ASSERT_TRUE(fs::exists(checkpoint));

  // Two threads, in a child with passive OpenMP waits: on a loaded machine spinning
  // threads would make this test take minutes.
  const std::string restart = "OMP_WAIT_POLICY=passive " + std::string(REGENSIM_BINARY) +
                              " run --restart " + checkpoint + " --quiet --threads 2";
  ASSERT_EQ(std::system(restart.c_str()), 0);
  expect_identical(testing::read_all_datasets(dir.file("reference.h5")),
                   testing::read_all_datasets(out));
}

// Periodic checkpoints (wall clock) survive a SIGKILL, which leaves no chance to write one.
TEST(RestartBinary, PeriodicCheckpointSurvivesSigkill) {
  const TempDir dir;
  const std::string config = dir.file("long.toml");
  const std::string out = dir.file("long.h5");
  std::string text = testing::small_config(out, 4);
  text.replace(text.find("duration_days = 1.0"), 19, "duration_days = 4.0");
  testing::write_file(config, text);
  const pid_t pid = testing::spawn_regensim(
      {"run", config, "--quiet", "--threads", "1", "--checkpoint-every", "0.00001"});  // 36 ms
  ASSERT_NE(pid, 0);
  const std::string checkpoint = dir.file("long.checkpoint.h5");
  testing::wait_for_file(checkpoint, std::chrono::milliseconds(2));
  kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before the kill; make it longer";
  ASSERT_TRUE(fs::exists(checkpoint)) << "no periodic checkpoint";
  EXPECT_FALSE(fs::exists(checkpoint + ".tmp") && !fs::exists(checkpoint));

  // A kill may tear the output file; a restart then says so (exit 2) and a sweep starts
  // the run afresh. Otherwise it must continue to the same bytes.
  const auto r = run_cli({"run", "--restart", checkpoint, "--quiet"});
  if (r.status == 2) {
    EXPECT_NE(r.err.find("cannot continue this output"), std::string::npos) << r.err;
    return;
  }
  ASSERT_EQ(r.status, 0) << r.err;
  fs::rename(out, dir.file("restarted.h5"));
  fs::remove(dir.file("long.xmf"));
  const auto ref = run_cli({"run", config, "--quiet"});
  ASSERT_EQ(ref.status, 0) << ref.err;
  expect_identical(testing::read_all_datasets(out),
                   testing::read_all_datasets(dir.file("restarted.h5")));
}

}  // namespace
}  // namespace regensim
