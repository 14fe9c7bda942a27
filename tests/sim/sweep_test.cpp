// Sweep designs (Sobol, Latin hypercube), sweep files, the manifest and the run command.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/core/error.hpp"
#include "sim/run/process_pool.hpp"
#include "sim/sweep/manifest.hpp"
#include "sim/sweep/sampling.hpp"
#include "sim/sweep/slurm.hpp"
#include "sim/sweep/sweep_runner.hpp"
#include "sim/sweep/sweep_spec.hpp"
#include "tests/test_support.hpp"

namespace regensim {
namespace {

using testing::TempDir;

TEST(Sobol, FirstPointsMatchThePublishedSequence) {
  // The unscrambled two-dimensional Sobol sequence (Joe & Kuo; as scipy.stats.qmc.Sobol).
  const double expected[8][2] = {{0, 0},         {0.5, 0.5},     {0.75, 0.25},   {0.25, 0.75},
                                 {0.375, 0.375}, {0.875, 0.875}, {0.625, 0.125}, {0.125, 0.625}};
  const auto p = sim::sobol_points(8, 2, 0);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(p[static_cast<std::size_t>(2 * i)], expected[i][0]) << "point " << i;
    EXPECT_EQ(p[static_cast<std::size_t>(2 * i + 1)], expected[i][1]) << "point " << i;
  }
}

TEST(Sobol, HigherDimensionsFollowTheDirectionNumbers) {
  // Dimension 3 (s = 2, a = 1, m = 1 3) as scipy.stats.qmc.Sobol(3, scramble=False) gives.
  const double third[8] = {0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375};
  const int dims = sim::kSobolMaxDimensions;
  const auto p = sim::sobol_points(64, dims, 0);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(p[static_cast<std::size_t>(i * dims + 2)], third[i]);
  // Dimensions 1 and 2 form a (0,6,2)-net: 64 points, one in each cell of an 8 x 8 grid.
  std::set<int> cells;
  for (int i = 0; i < 64; ++i) {
    cells.insert(static_cast<int>(p[static_cast<std::size_t>(i * dims)] * 8) * 8 +
                 static_cast<int>(p[static_cast<std::size_t>(i * dims + 1)] * 8));
  }
  EXPECT_EQ(cells.size(), 64u);
  for (int d = 0; d < dims; ++d) {  // every dimension alone: one point per 1/64 stratum
    std::set<int> strata;
    for (int i = 0; i < 64; ++i) {
      strata.insert(static_cast<int>(p[static_cast<std::size_t>(i * dims + d)] * 64));
    }
    EXPECT_EQ(strata.size(), 64u) << "dimension " << d;
  }
  EXPECT_THROW(sim::sobol_points(4, dims + 1, 0), std::invalid_argument);
}

TEST(Sobol, SeedShiftsButKeepsStrataAndIsReproducible) {
  const auto a = sim::sobol_points(8, 3, 5);
  EXPECT_EQ(a, sim::sobol_points(8, 3, 5));
  EXPECT_NE(a, sim::sobol_points(8, 3, 0));
  for (int d = 0; d < 3; ++d) {
    std::set<int> strata;
    for (int i = 0; i < 8; ++i)
      strata.insert(static_cast<int>(a[static_cast<std::size_t>(i * 3 + d)] * 8));
    EXPECT_EQ(strata.size(), 8u);
  }
}

TEST(LatinHypercube, OnePointPerStratumInEveryDimension) {
  const int n = 10, dims = 3;
  const auto p = sim::latin_hypercube(n, dims, 42);
  EXPECT_EQ(p, sim::latin_hypercube(n, dims, 42));
  EXPECT_NE(p, sim::latin_hypercube(n, dims, 43));
  for (int d = 0; d < dims; ++d) {
    std::set<int> strata;
    for (int i = 0; i < n; ++i) {
      const double v = p[static_cast<std::size_t>(i * dims + d)];
      ASSERT_GT(v, 0.0);
      ASSERT_LT(v, 1.0);
      strata.insert(static_cast<int>(v * n));
    }
    EXPECT_EQ(strata.size(), static_cast<std::size_t>(n));
  }
}

std::string sweep_text(const std::string& body) {
  return "[sweep]\nbase = \"base.toml\"\n" + body;
}

TEST(SweepSpec, GridTimesSamplesTimesSeeds) {
  const TempDir dir;
  testing::write_file(dir.file("base.toml"), testing::small_config("x.h5"));
  testing::write_file(dir.file("s.toml"), sweep_text(R"(replicates = 2
first_seed = 5
[sweep.set]
"simulation.duration_days" = 0.5
[sweep.grid]
"mechanisms.paracrine" = [true, false]
[sweep.grid.rules.injection]
count = [10, 20, 30]
[sweep.sample]
method = "sobol"
count = 4
seed = 0
[sweep.sample.ranges]
"rules.respiration.uptake_per_min" = [2.0, 4.0]
"rules.capillaries.spacing_um" = [60, 100]
)"));
  const auto spec = sim::read_sweep(dir.file("s.toml"));
  ASSERT_EQ(spec.runs.size(), 2u * 3u * 4u * 2u);
  EXPECT_EQ(spec.parameters,
            (std::vector<std::string>{"mechanisms.paracrine", "rules.injection.count",
                                      "rules.capillaries.spacing_um",
                                      "rules.respiration.uptake_per_min"}));
  EXPECT_EQ(spec.runs[0].id, "run_0000");
  EXPECT_EQ(spec.runs[0].seed, 5);
  EXPECT_EQ(spec.runs[1].seed, 6);
  // Sobol point 0 is the low corner; integer bounds give integers, float bounds floats.
  EXPECT_EQ(spec.runs[0].parameter_values, (std::vector<std::string>{"true", "10", "60", "2.0"}));
  EXPECT_EQ(spec.runs[2].parameter_values[3], "3.0");  // Sobol point 1: the middle
  EXPECT_EQ(spec.runs.back().parameter_values[0], "false");
  EXPECT_EQ(spec.runs.back().parameter_values[1], "30");
  const auto& o = spec.runs[0].overrides;
  EXPECT_EQ(o.front().assignment(), "simulation.duration_days=0.5");
  EXPECT_EQ(o.back().assignment(), "simulation.seed=5");
  sim::RuleRegistry registry;
  sim::register_models(registry);
  EXPECT_NO_THROW(sim::validate_sweep(spec, registry));
}

TEST(SweepSpec, MistakesNameFileLineAndKey) {
  const TempDir dir;
  testing::write_file(dir.file("base.toml"), testing::small_config("x.h5"));
  const auto error_of = [&](const std::string& body) -> std::string {
    testing::write_file(dir.file("s.toml"), body);
    try {
      const auto spec = sim::read_sweep(dir.file("s.toml"));
      sim::RuleRegistry registry;
      sim::register_models(registry);
      sim::validate_sweep(spec, registry);
    } catch (const sim::InputError& e) {
      return e.what();
    }
    return "no error";
  };
  auto e = error_of(sweep_text("replicate = 2\n"));
  EXPECT_NE(e.find("s.toml:3: sweep.replicate: unknown key"), std::string::npos) << e;
  e = error_of(sweep_text("[sweep.grid]\n\"mechanisms.paracrine\" = true\n"));
  EXPECT_NE(e.find("sweep.grid.mechanisms.paracrine: must be a non-empty list"), std::string::npos)
      << e;
  e = error_of(
      sweep_text("[sweep.sample]\nmethod = \"lhs\"\ncount = 3\n"
                 "[sweep.sample.ranges]\n\"rules.respiration.uptake_per_min\" = [4, 2]\n"));
  EXPECT_NE(e.find("needs low < high"), std::string::npos) << e;
  e = error_of(sweep_text("[sweep.grid]\n\"rules.injection.cuont\" = [1, 2]\n"));
  EXPECT_NE(e.find("cuont"), std::string::npos) << e;
  e = error_of(sweep_text("[sweep.grid]\n\"rules.injection.count\" = [10, -1]\n"));
  EXPECT_NE(e.find("rules.injection.count = -1"), std::string::npos) << e;
  e = error_of("[sweep]\nbase = \"nope.toml\"\n");
  EXPECT_NE(e.find("no such file"), std::string::npos) << e;
  e = error_of(sweep_text("[sweep.grid]\n\"simulation.seed\" = [1, 2]\n"));
  EXPECT_NE(e.find("sweep.seeds or sweep.replicates"), std::string::npos) << e;
}

TEST(SweepManifest, RoundTripAndOtherSweepRefused) {
  const TempDir dir;
  testing::write_file(dir.file("base.toml"), testing::small_config("x.h5"));
  testing::write_file(dir.file("s.toml"),
                      sweep_text("seeds = [3, 9]\n[sweep.grid]\n\"rules.injection.count\" = "
                                 "[10, 20]\n"));
  const auto spec = sim::read_sweep(dir.file("s.toml"));
  const std::string out = dir.file("sweep");
  const auto statuses = sim::prepare_sweep_dir(spec, out);
  EXPECT_EQ(statuses, std::vector<std::string>(4, "pending"));
  auto m = sim::read_manifest(out);
  EXPECT_EQ(m.parameters, spec.parameters);
  ASSERT_EQ(m.rows.size(), 4u);
  EXPECT_EQ(m.rows[3].id, "run_0003");
  EXPECT_EQ(m.rows[3].seed, "9");
  EXPECT_EQ(m.rows[3].values, std::vector<std::string>{"20"});
  EXPECT_EQ(m.rows[3].output, "runs/run_0003.h5");

  testing::write_file(dir.file("s.toml"),
                      sweep_text("seeds = [3, 9]\n[sweep.grid]\n\"rules.injection.count\" = "
                                 "[10, 30]\n"));
  EXPECT_THROW(sim::prepare_sweep_dir(sim::read_sweep(dir.file("s.toml")), out), sim::InputError);
}

TEST(SweepCommand, RestartsFromACheckpointElseStartsAfresh) {
  const TempDir dir;
  testing::write_file(dir.file("base.toml"), testing::small_config("x.h5"));
  testing::write_file(dir.file("s.toml"), sweep_text("checkpoint_every_hours = 0.5\n"));
  const auto spec = sim::read_sweep(dir.file("s.toml"));
  const std::string out = dir.file("sweep");
  auto argv = sim::run_command("regensim", spec, spec.runs[0], out, 3);
  const auto has = [&](const std::string& a) {
    return std::find(argv.begin(), argv.end(), a) != argv.end();
  };
  EXPECT_TRUE(has("--overwrite"));
  EXPECT_TRUE(has("simulation.seed=1"));
  EXPECT_TRUE(has("--checkpoint-every"));
  EXPECT_TRUE(has("3"));
  std::filesystem::create_directories(out + "/runs");
  testing::write_file(sim::run_files(out, "run_0000").checkpoint, "x");
  argv = sim::run_command("regensim", spec, spec.runs[0], out, 3);
  EXPECT_EQ(argv[2], "--restart");
  EXPECT_FALSE(has("--overwrite"));
}

TEST(SlurmScript, OneArrayTaskPerRunWithTheSettings) {
  const TempDir dir;
  testing::write_file(dir.file("base.toml"), testing::small_config("x.h5"));
  testing::write_file(dir.file("s.toml"), sweep_text("replicates = 5\n"));
  const auto spec = sim::read_sweep(dir.file("s.toml"));
  sim::SlurmSettings s;
  s.account = "lab";
  s.cpus_per_task = 4;
  s.max_parallel = 2;
  const std::string text = sim::slurm_script(spec, s, "/abs/s.toml", "/abs/out", "/bin/regensim");
  EXPECT_NE(text.find("#SBATCH --array=0-4%2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("#SBATCH --cpus-per-task=4\n"), std::string::npos);
  EXPECT_NE(text.find("#SBATCH --account=lab\n"), std::string::npos);
  EXPECT_EQ(text.find("--partition"), std::string::npos);
  EXPECT_NE(text.find("--task \"$SLURM_ARRAY_TASK_ID\""), std::string::npos);
  setenv("SLURM_CPUS_PER_TASK", "6", 1);
  EXPECT_EQ(sim::slurm_task_threads(1), 6);
  setenv("SLURM_CPUS_PER_TASK", "six", 1);
  EXPECT_THROW(sim::slurm_task_threads(1), sim::InputError);
  unsetenv("SLURM_CPUS_PER_TASK");
  EXPECT_EQ(sim::slurm_task_threads(2), 2);
}

TEST(ProcessPool, StopsStartingJobsWhenAsked) {
  std::vector<sim::ProcessJob> list(5, sim::ProcessJob{{"/bin/true"}, ""});
  int finished = 0;
  const auto results = sim::run_processes(
      list, 1, [&](std::size_t, const sim::ProcessResult&) { ++finished; },
      [&] { return finished < 2; });
  EXPECT_EQ(finished, 2);
  EXPECT_EQ(results[1].exit_code, 0);
  EXPECT_EQ(results[2].exit_code, -1);
  EXPECT_EQ(results[4].exit_code, -1);
}

}  // namespace
}  // namespace regensim
