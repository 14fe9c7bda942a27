// `regensim sweep` and `regensim collect` end to end, with the real binary: runs in
// parallel, resume that skips complete runs, retries broken ones and continues an
// interrupted run from its checkpoint, array tasks, and the summary.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "sim/rules/registry.hpp"
#include "sim/run/checkpoint.hpp"
#include "sim/run/runner.hpp"
#include "sim/sweep/manifest.hpp"
#include "sim/sweep/sweep_spec.hpp"
#include "tests/regression/h5_compare.hpp"
#include "tests/test_support.hpp"

namespace regensim {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

/// Runs the binary with `args` (shell words), output in `log`; returns the exit status.
int regensim(const std::string& args, const std::string& log, const std::string& env = "") {
  const std::string command =
      env + " " + std::string(REGENSIM_BINARY) + " " + args + " > " + log + " 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class SweepRun : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_file(dir_.file("base.toml"), testing::small_config("unused.h5"));
    testing::write_file(dir_.file("s.toml"), R"([sweep]
base = "base.toml"
replicates = 2
[sweep.set]
"simulation.duration_days" = 0.5
[sweep.grid]
"rules.injection.count" = [10, 20]
)");
    out_ = dir_.file("sweep");
    log_ = dir_.file("log.txt");
  }
  std::string output(const std::string& id) const { return sim::run_files(out_, id).output; }
  std::string status(const std::string& id) const { return sim::output_status(output(id)); }
  int sweep(const std::string& extra = "") const {
    return regensim(
        "sweep " + dir_.file("s.toml") + " -o " + out_ + " --jobs 1 --threads 1 " + extra, log_);
  }

  TempDir dir_;
  std::string out_, log_;
};

TEST_F(SweepRun, RunsResumesAndCollects) {
  ASSERT_EQ(sweep(), 0) << testing::read_file(log_);
  const auto manifest = sim::read_manifest(out_);
  ASSERT_EQ(manifest.rows.size(), 4u);
  for (const auto& row : manifest.rows) {
    EXPECT_EQ(row.status, "complete") << row.id;
    EXPECT_EQ(status(row.id), "complete") << row.id;
  }
  fs::copy_file(output("run_0003"), dir_.file("run_0003_reference.h5"));

  // Breakage of every kind: a lost output, a half-written one, an interrupted run with a
  // checkpoint. A complete run must be left alone.
  const auto untouched = fs::last_write_time(output("run_0000"));
  fs::remove(output("run_0001"));
  testing::write_file(output("run_0002"), "torn write");
  {
    const auto spec = sim::read_sweep(dir_.file("s.toml"));
    auto doc = sim::ConfigDocument::from_file(spec.base_config);
    for (const auto& o : spec.runs[3].overrides) doc.apply_override(o.assignment());
    doc.override_string("output.file", output("run_0003"));
    sim::RuleRegistry registry;
    sim::register_models(registry);
    auto simulation = sim::Simulation::build(doc, registry);
    sim::RunRequest request;
    request.output_path = output("run_0003");
    request.overwrite = true;
    request.config_toml = doc.to_toml();
    request.checkpoint_path = sim::run_files(out_, "run_0003").checkpoint;
    request.stop_at_step = 7;
    std::ostringstream progress;
    ASSERT_EQ(sim::run_to_file(*simulation, request, progress), sim::RunOutcome::Interrupted);
  }
  ASSERT_EQ(sweep("--dry-run"), 0);
  EXPECT_NE(testing::read_file(log_).find("4 runs (1 swept parameters); 1 already complete"),
            std::string::npos)
      << testing::read_file(log_);

  ASSERT_EQ(sweep(), 0) << testing::read_file(log_);
  EXPECT_NE(testing::read_file(log_).find("1 already complete, 3 to run"), std::string::npos);
  EXPECT_EQ(fs::last_write_time(output("run_0000")), untouched);
  for (const char* id : {"run_0001", "run_0002", "run_0003"}) EXPECT_EQ(status(id), "complete");
  EXPECT_FALSE(fs::exists(sim::run_files(out_, "run_0003").checkpoint));
  const auto a = testing::read_all_datasets(dir_.file("run_0003_reference.h5"));
  const auto b = testing::read_all_datasets(output("run_0003"));
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [path, bytes] : a) {
    EXPECT_TRUE(bytes == b.at(path)) << path << " differs in the resumed run";
  }

  ASSERT_EQ(regensim("collect " + out_, log_), 0) << testing::read_file(log_);
  const auto summary = testing::read_all_datasets(out_ + "/summary.h5");
  ASSERT_TRUE(summary.count("/parameters/rules.injection.count"));
  const auto& counts = summary.at("/parameters/rules.injection.count");
  ASSERT_EQ(counts.size(), 4 * sizeof(double));
  const auto* c = reinterpret_cast<const double*>(counts.data());
  EXPECT_EQ(c[0], 10.0);
  EXPECT_EQ(c[3], 20.0);
  ASSERT_TRUE(summary.count("/outcomes/n_msc"));
  const auto* n_msc = reinterpret_cast<const double*>(summary.at("/outcomes/n_msc").data());
  EXPECT_EQ(n_msc[0], 10.0);  // the cells injected, all alive
  EXPECT_EQ(n_msc[2], 20.0);
  const std::string csv = testing::read_file(out_ + "/summary.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5);
  EXPECT_EQ(csv.rfind("id,seed,rules.injection.count,", 0), 0u) << csv;

  // While a run is missing, collect still works and names it.
  fs::remove(output("run_0002"));
  ASSERT_EQ(regensim("collect " + out_ + " -o " + dir_.file("partial.h5"), log_), 0);
  EXPECT_NE(testing::read_file(log_).find("collected 3 of 4"), std::string::npos);
  EXPECT_NE(testing::read_file(log_).find("missing run_0002 (pending)"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_.file("partial.csv")));
}

TEST_F(SweepRun, ArrayTaskRunsOneRunWithSlurmThreads) {
  ASSERT_EQ(sweep("--slurm --cpus-per-task 1 --time 00:05:00"), 0) << testing::read_file(log_);
  const std::string script = testing::read_file(out_ + "/sweep.slurm");
  EXPECT_NE(script.find("#SBATCH --array=0-3\n"), std::string::npos) << script;
  EXPECT_EQ(sim::read_manifest(out_).rows.size(), 4u);

  const std::string task = "sweep " + dir_.file("s.toml") + " -o " + out_ + " --task 2";
  ASSERT_EQ(regensim(task, log_, "SLURM_CPUS_PER_TASK=1"), 0) << testing::read_file(log_);
  EXPECT_EQ(status("run_0002"), "complete");
  EXPECT_EQ(status("run_0001"), "");
  ASSERT_EQ(regensim(task, log_, "SLURM_CPUS_PER_TASK=1"), 0);
  EXPECT_NE(testing::read_file(log_).find("run_0002: already complete"), std::string::npos);
  EXPECT_EQ(regensim(task + "0", log_), 2) << "task 20 of 4 runs";
}

TEST_F(SweepRun, BadRequestsAreBadInput) {
  EXPECT_EQ(regensim("sweep " + dir_.file("missing.toml"), log_), 2);
  EXPECT_EQ(sweep("--submit"), 2);
  EXPECT_NE(testing::read_file(log_).find("--submit needs --slurm"), std::string::npos);
  EXPECT_EQ(
      regensim("sweep " + dir_.file("s.toml") + " -o " + out_ + " --jobs 2 --threads 100000", log_),
      2);
  EXPECT_NE(testing::read_file(log_).find("exceeds"), std::string::npos);
  EXPECT_EQ(regensim("collect " + dir_.file("nothing_here"), log_), 2);
}

TEST_F(SweepRun, PlotScriptDrawsEachVaryingOutcome) {
  if (std::system("/usr/bin/python3 -c 'import h5py, matplotlib' > /dev/null 2>&1") != 0) {
    GTEST_SKIP() << "no /usr/bin/python3 with h5py and matplotlib (scripts/setup installs them)";
  }
  ASSERT_EQ(sweep("--quiet"), 0) << testing::read_file(log_);
  ASSERT_EQ(regensim("collect " + out_, log_), 0);
  const std::string plots = dir_.file("plots");
  const std::string command = "/usr/bin/python3 " + std::string(REGENSIM_SOURCE_DIR) +
                              "/scripts/plot_sweep.py " + out_ + "/summary.h5 -o " + plots + " > " +
                              log_ + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << testing::read_file(log_);
  EXPECT_GT(fs::file_size(plots + "/n_msc.png"), 1000u);  // 10 or 20 cells: it varies
  EXPECT_NE(testing::read_file(log_).find("not plotted"), std::string::npos)
      << "outcomes equal in every run are named, not drawn";
}

TEST(ShippedSweep, ValidatesAndEstimates) {
  const TempDir dir;
  const std::string log = dir.file("log");
  ASSERT_EQ(regensim("sweep " + std::string(REGENSIM_SOURCE_DIR) +
                         "/configs/sweep_tissue_block.toml --dry-run -o " + dir.file("s"),
                     log),
            0)
      << testing::read_file(log);
  EXPECT_NE(testing::read_file(log).find("16 runs"), std::string::npos);
  EXPECT_NE(testing::read_file(log).find("core-hours"), std::string::npos);
}

}  // namespace
}  // namespace regensim
