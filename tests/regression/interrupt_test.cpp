// A run stopped by SIGTERM or SIGINT leaves a readable file marked "interrupted" and
// exits non-zero; an existing output is never overwritten without --overwrite.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>

#include "sim/rules/registry.hpp"
#include "sim/run/runner.hpp"
#include "sim/run/stop_signal.hpp"
#include "tests/regression/child_run.hpp"
#include "tests/regression/h5_compare.hpp"
#include "tests/test_support.hpp"

namespace regensim {
namespace {

using testing::TempDir;

TEST(Interrupt, StopRequestMarksFileInterrupted) {
  const TempDir dir;
  auto doc = sim::ConfigDocument::from_string(testing::small_config(dir.file("x.h5")), "test");
  sim::RuleRegistry registry;
  sim::register_models(registry);
  auto simulation = sim::Simulation::build(doc, registry);
  simulation->step();
  simulation->step();
  sim::request_stop(SIGTERM);
  sim::RunRequest request;
  request.output_path = dir.file("stopped.h5");
  std::ostringstream progress;
  const auto outcome = sim::run_to_file(*simulation, request, progress);
  sim::clear_stop_request();
  EXPECT_EQ(outcome, sim::RunOutcome::Interrupted);
  EXPECT_EQ(testing::read_string_attr(request.output_path, "/", "status"), "interrupted");
  const auto data = testing::read_all_datasets(request.output_path);
  ASSERT_TRUE(data.count("/time_days"));
  EXPECT_EQ(data.at("/time_days").size(), sizeof(double));  // the one snapshot written
}

// The real thing: the binary, a signal from outside, the exit status, the file.
void interrupt_binary_with(int signal_number) {
  const TempDir dir;
  const std::string config = dir.file("long.toml");
  const std::string out = dir.file("long.h5");
  std::string text = testing::small_config(out, 8);
  text.replace(text.find("duration_days = 1.0"), 19, "duration_days = 60.0");
  testing::write_file(config, text);

  const pid_t pid = testing::spawn_regensim({"run", config, "--quiet", "--threads", "1"});
  ASSERT_NE(pid, 0);

  // The XDMF sidecar appears once the first snapshot is flushed.
  ASSERT_TRUE(testing::wait_for_file(dir.file("long.xmf"), std::chrono::milliseconds(10)));
  kill(pid, signal_number);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "the run must exit cleanly, not die of the signal";
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(testing::read_string_attr(out, "/", "status"), "interrupted");
  const auto data = testing::read_all_datasets(out);
  EXPECT_TRUE(data.count("/fields/oxygen"));
  EXPECT_TRUE(data.count("/metrics/n_msc"));
}

TEST(Interrupt, SigtermLeavesReadableInterruptedFile) {
  interrupt_binary_with(SIGTERM);
}
TEST(Interrupt, SigintLeavesReadableInterruptedFile) {
  interrupt_binary_with(SIGINT);
}

TEST(Interrupt, ExistingOutputIsKeptUnlessOverwriteIsGiven) {
  const TempDir dir;
  const std::string config = dir.file("c.toml");
  const std::string out = dir.file("c.h5");
  testing::write_file(config, testing::small_config(out));
  testing::write_file(out, "precious earlier result");
  auto r = testing::run_cli({"run", config, "--quiet"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--overwrite"), std::string::npos) << r.err;
  EXPECT_EQ(testing::read_file(out), "precious earlier result");
  r = testing::run_cli({"run", config, "--quiet", "--overwrite"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(testing::read_string_attr(out, "/", "status"), "complete");
}

}  // namespace
}  // namespace regensim
