#include "sim/run/process_pool.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "tests/test_support.hpp"

namespace regensim::sim {
namespace {

TEST(ProcessPool, ReturnsEachChildsExitStatusInJobOrder) {
  testing::TempDir dir;
  std::vector<ProcessJob> list;
  for (int code : {3, 0, 7, 1}) {
    list.push_back(
        {{"/bin/sh", "-c", "echo job " + std::to_string(code) + "; exit " + std::to_string(code)},
         dir.file("log" + std::to_string(code))});
  }
  std::vector<std::size_t> done;
  const auto results =
      run_processes(list, 2, [&](std::size_t i, const ProcessResult&) { done.push_back(i); });
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].exit_code, 3);
  EXPECT_EQ(results[1].exit_code, 0);
  EXPECT_EQ(results[2].exit_code, 7);
  EXPECT_EQ(results[3].exit_code, 1);
  EXPECT_EQ(done.size(), 4u);
  EXPECT_EQ(testing::read_file(dir.file("log7")), "job 7\n");
}

TEST(ProcessPool, ReportsAKilledChildAs128PlusSignal) {
  const auto results = run_processes({{{"/bin/sh", "-c", "kill -9 $$"}, ""}}, 1);
  EXPECT_EQ(results[0].exit_code, 128 + 9);
}

TEST(ProcessPool, StartsAChildInItsWorkingDirectory) {
  testing::TempDir dir;
  const std::string sub = dir.file("sub");
  std::filesystem::create_directory(sub);
  ProcessJob job{{"/bin/sh", "-c", "pwd; echo x > made_here"}, dir.file("log"), sub};
  ASSERT_EQ(run_processes({job}, 1)[0].exit_code, 0);
  EXPECT_EQ(testing::read_file(dir.file("log")), std::filesystem::canonical(sub).string() + "\n");
  EXPECT_TRUE(std::filesystem::exists(sub + "/made_here"));
}

TEST(ProcessPool, NoJobsSlotsIsAnError) {
  EXPECT_THROW(run_processes({}, 0), std::invalid_argument);
}

TEST(ProcessPool, AMissingProgramIsAnError) {
  EXPECT_THROW(run_processes({{{"/nonexistent/regensim"}, ""}}, 1), std::runtime_error);
}

}  // namespace
}  // namespace regensim::sim
