// Bad input of every kind gives exit status 2 and a message naming the file, the line
// and the key, before any output is written.
#include <gtest/gtest.h>

#include <filesystem>

#include "regensim/version.hpp"
#include "tests/test_support.hpp"

namespace regensim {
namespace {

using testing::run_cli;
using testing::small_config;
using testing::TempDir;
using testing::write_file;

struct BadConfigCase {
  const char* name;
  const char* find;                   // text in the valid config to replace ("" appends)
  const char* replace;                // replacement
  std::vector<const char*> expected;  // substrings of the error message
};

std::string mutate(const std::string& config, const BadConfigCase& c) {
  if (std::string(c.find).empty()) return config + c.replace;
  const auto at = config.find(c.find);
  if (at == std::string::npos) throw std::runtime_error(std::string("test bug: ") + c.find);
  std::string out = config;
  out.replace(at, std::string(c.find).size(), c.replace);
  return out;
}

void PrintTo(const BadConfigCase& c, std::ostream* os) {
  *os << c.name;
}

class BadConfig : public ::testing::TestWithParam<BadConfigCase> {};

TEST_P(BadConfig, ExitsTwoNamingTheKeyAndWritesNothing) {
  const TempDir dir;
  const std::string out = dir.file("run.h5");
  const std::string path = dir.file("bad.toml");
  write_file(path, mutate(small_config(out), GetParam()));
  for (const char* command : {"check", "run"}) {
    const auto r = std::string(command) == "run" ? run_cli({command, path, "--quiet"})
                                                 : run_cli({command, path});
    EXPECT_EQ(r.status, 2) << command << ": " << r.err;
    for (const char* s : GetParam().expected) {
      EXPECT_NE(r.err.find(s), std::string::npos)
          << command << ": expected '" << s << "' in: " << r.err;
    }
    EXPECT_FALSE(std::filesystem::exists(out)) << "no output may be written for bad input";
  }
}

const BadConfigCase kCases[] = {
    {"exact_steps_with_the_explicit_solver",
     "max_step_min = 1.0",
     "max_step_min = 0.01\nmethod = \"explicit_ftcs\"\nexact_steps = true",
     {"solver.exact_steps", "needs method = \"implicit_lod\""}},
    {"misspelt_required_key",
     "voxel_size_um = 20.0",
     "voxel_size = 20.0",
     {"missing required key simulation.voxel_size_um", "simulation.voxel_size at", "bad.toml:3"}},
    {"unknown_key",
     "seed = 7",
     "seed = 7\nthreads = 4",
     {"bad.toml:7", "unknown key simulation.threads", "valid keys here:", "voxel_size_um"}},
    {"wrong_type",
     "seed = 7",
     "seed = \"seven\"",
     {"bad.toml:6", "simulation.seed", "must be an integer"}},
    {"out_of_range",
     "voxel_size_um = 20.0",
     "voxel_size_um = -20.0",
     {"bad.toml:3", "simulation.voxel_size_um = -20", "must be > 0"}},
    {"missing_key", "step_minutes = 30.0\n", "", {"missing required key simulation.step_minutes"}},
    {"array_length",
     "dimensions = [24, 20, 1]",
     "dimensions = [24, 20]",
     {"bad.toml:2", "simulation.dimensions", "must have 3 elements"}},
    {"unknown_rule",
     "rule = \"random_walk\"",
     "rule = \"teleport\"",
     {"rules.migration", "unknown rule 'teleport'", "valid rules:", "random_walk"}},
    {"unknown_field",
     "field = \"oxygen\"",
     "field = \"glucose\"",
     {"bad.toml:50", "rules.respiration.field = 'glucose'", "no such field", "oxygen, vegf"}},
    {"unknown_cell_type",
     "cell_types = [\"msc\"]\nspeed",
     "cell_types = [\"neuron\"]\nspeed",
     {"rules.migration.cell_types", "unknown cell type 'neuron'", "chondrocyte"}},
    {"unknown_placed_cell_type",
     "cell_type = \"msc\"",
     "cell_type = \"neuron\"",
     {"rules.injection.cell_type", "unknown cell type 'neuron'", "macrophage"}},
    {"cadence_not_whole_steps",
     "every_hours = 6.0",
     "every_hours = 0.7",
     {"bad.toml:10", "output.every_hours = 0.7", "whole number"}},
    {"implicit_step_too_long",
     "[solver]\nmax_step_min = 1.0",
     "[solver]\nmax_step_min = 10.0",
     {"fields.oxygen.max_step_min", "> 500", "use max_step_min <= 2 min",
      "(the default, solver.max_step_min)"}},
    {"quasi_steady_with_max_step",
     "fixed_value = 38.0",
     "fixed_value = 38.0\nquasi_steady = true\nmax_step_min = 0.5",
     {"fields.oxygen.max_step_min", "no effect on a quasi_steady field"}},
    {"quasi_steady_explicit_solver",
     "max_step_min = 1.0\n\n[fields.oxygen]",
     "method = \"explicit_ftcs\"\n\n[fields.oxygen]\nquasi_steady = true",
     {"fields.oxygen.quasi_steady", "needs solver.method = \"implicit_lod\""}},
    {"quasi_steady_without_decay",
     "half_life_min = 60.0",
     "half_life_min = inf\nquasi_steady = true",
     {"fields.vegf.quasi_steady", "finite half_life_min"}},
    {"steady_tolerance_too_small",
     "[solver]\nmax_step_min = 1.0",
     "[solver]\nmax_step_min = 1.0\nsteady_tolerance = 1e-9",
     {"solver.steady_tolerance", "between 1e-06 and 0.1"}},
    {"unknown_steady_preconditioner",
     "[solver]\nmax_step_min = 1.0",
     "[solver]\nmax_step_min = 1.0\nsteady_preconditioner = \"amg\"",
     {"solver.steady_preconditioner = 'amg'", "jacobi, multigrid"}},
    {"explicit_unstable",
     "[solver]\nmax_step_min = 1.0",
     "[solver]\nmethod = \"explicit_ftcs\"",
     {"fields.oxygen.max_step_min", "unstable"}},
    {"unknown_solver",
     "[solver]\n",
     "[solver]\nmethod = \"magic\"\n",
     {"solver.method = 'magic'", "implicit_lod, explicit_ftcs"}},
    {"misspelt_section", "", "\n[simulaton]\nseed = 1\n", {"unknown key simulaton"}},
    {"output_field_unknown",
     "metrics_every_hours = 1.0",
     "metrics_every_hours = 1.0\nfields = [\"o2\"]",
     {"output.fields", "no field named 'o2'"}},
    {"fixed_layer_missing",
     "fixed_layer = \"vessel\"",
     "fixed_layer = \"vessels\"",
     {"fields.oxygen.fixed_layer = \"vessels\"", "code layers: vessel"}},
    {"rule_not_in_order",
     "",
     "\n[rules.extra]\nrule = \"uptake\"\n",
     {"rules.extra", "not listed in rules.order"}},
    {"too_many_cells",
     "count = 40",
     "count = 4000",
     {"rules.injection.count = 4000", "free voxels"}},
    {"bad_boundary_word",
     "x_low = 0.0",
     "x_low = \"open\"",
     {"fields.vegf.boundary.x_low", "no_flux"}},
    {"syntax_error", "seed = 7", "seed = = 7", {"bad.toml:6", "TOML syntax error"}},
    {"negative_half_life",
     "half_life_min = 60.0",
     "half_life_min = -60.0",
     {"fields.vegf.half_life_min = -60", "must be > 0"}},
    {"nan_value",
     "rate_per_min = 0.05",
     "rate_per_min = nan",
     {"rules.vegf_secretion.rate_per_min", "finite"}},
    {"absurd_duration",
     "duration_days = 1.0",
     "duration_days = 1e20",
     {"bad.toml:4", "simulation.duration_days", "more than 1e9 cell steps"}},
    {"huge_dimension",
     "dimensions = [24, 20, 1]",
     "dimensions = [3000000000, 1, 1]",
     {"bad.toml:2", "simulation.dimensions", "must be between"}},
    {"duplicate_output_field",
     "metrics_every_hours = 1.0",
     "metrics_every_hours = 1.0\nfields = [\"vegf\", \"vegf\"]",
     {"output.fields", "'vegf' listed twice"}},
    {"field_name_with_slash",
     "[fields.vegf]",
     "[fields.\"ve/gf\"]",
     {"fields.ve/gf", "without '/'"}},
    {"fixed_layer_without_value",
     "fixed_value = 38.0\n",
     "",
     {"missing required key fields.oxygen.fixed_value"}},
    {"fixed_value_without_layer",
     "half_life_min = 60.0",
     "half_life_min = 60.0\nfixed_value = 1.0",
     {"fields.vegf.fixed_value", "fixed_layer is not"}},
    {"compare_without_sham",
     "",
     "\n[compare]\noutcomes = [\"mean_vegf\"]\n",
     {"missing required key compare.sham"}},
    {"compare_sham_empty", "", "\n[compare]\nsham = []\n", {"compare.sham", "at least one"}},
    {"compare_sham_not_an_override",
     "",
     "\n[compare]\nsham = [\"count0\"]\n",
     {"bad.toml:", "compare.sham", "not an override of the form section.key=value"}},
    {"compare_sham_sets_a_mechanism",
     "",
     "\n[compare]\nsham = [\"mechanisms.paracrine=false\"]\n",
     {"compare.sham", "set by the comparison itself"}},
    {"compare_untreated_same_as_sham",
     "",
     "\n[compare]\nsham = [\"rules.injection.count=0\"]\nuntreated = "
     "[\"rules.injection.count=0\"]\n",
     {"compare.untreated", "must differ from sham"}},
    {"compare_unknown_key",
     "",
     "\n[compare]\nsham = [\"rules.injection.count=0\"]\nreplicates = 3\n",
     {"unknown key compare.replicates", "outcomes"}},
    {"compare_outcome_twice",
     "",
     "\n[compare]\nsham = [\"rules.injection.count=0\"]\noutcomes = [\"n_msc\", \"n_msc\"]\n",
     {"compare.outcomes", "listed twice"}},
};

INSTANTIATE_TEST_SUITE_P(Cli, BadConfig, ::testing::ValuesIn(kCases),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(Cli, RunAcceptsAValidCompareTable) {
  const TempDir dir;
  const std::string path = dir.file("ok.toml");
  write_file(path, small_config(dir.file("run.h5")) +
                       "\n[compare]\nsham = [\"rules.injection.count=0\"]\n");
  const auto r = run_cli({"run", path, "--quiet"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir.file("run.h5")));
}

TEST(Cli, CheckSaysWhichFieldsTakeExactSteps) {
  const TempDir dir;
  const std::string path = dir.file("ok.toml");
  write_file(path, small_config(dir.file("run.h5")));
  auto r = run_cli({"check", path, "--set", "solver.exact_steps=true"});
  ASSERT_EQ(r.status, 0) << r.err;
  // The small config's VEGF holds a fixed value on its x_low face; oxygen has vessels.
  EXPECT_NE(r.out.find("# field vegf: 30 solver sub-steps per step (no exact steps: its x_low "
                       "face holds a fixed value)"),
            std::string::npos)
      << r.out;
  r = run_cli({"check", path, "--set", "solver.exact_steps=true", "--set",
               "fields.vegf.boundary.x_low=no_flux"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("# field vegf: one exact step per step while it has no uptake"),
            std::string::npos)
      << r.out;
}

TEST(Cli, MissingConfigFileIsBadInput) {
  const auto r = run_cli({"check", "/nonexistent/regensim.toml"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("/nonexistent/regensim.toml"), std::string::npos) << r.err;
}

TEST(Cli, BadOverrideNamesTheOverride) {
  const TempDir dir;
  const std::string path = dir.file("ok.toml");
  write_file(path, small_config(dir.file("run.h5")));
  auto r = run_cli({"check", path, "--set", "simulation.duration_days=-1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--set simulation.duration_days"), std::string::npos) << r.err;
  r = run_cli({"check", path, "--set", "simulation.typo=1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown key simulation.typo"), std::string::npos) << r.err;
  // An override of a whole table: errors inside it name the override.
  r = run_cli({"check", path, "--set",
               "fields.vegf={units=\"x\", diffusion_um2_per_min=-1, half_life_min=60.0}"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--set fields.vegf: fields.vegf.diffusion_um2_per_min = -1"),
            std::string::npos)
      << r.err;
  r = run_cli({"check", path, "--set", "novalue"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("expected section.key=value"), std::string::npos) << r.err;
}

TEST(Cli, UnknownCommandAndOptionsAreBadInput) {
  EXPECT_EQ(run_cli({"frobnicate"}).status, 2);
  EXPECT_EQ(run_cli({"run"}).status, 2);  // missing CONFIG
  EXPECT_EQ(run_cli({"run", "x.toml", "--threads", "0"}).status, 2);
  EXPECT_EQ(run_cli({"info", "/nonexistent.h5"}).status, 2);
}

TEST(Cli, VersionPrintsVersionAndCommit) {
  const auto r = run_cli({"--version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find(std::string("regensim ") + kSoftwareVersion), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(kGitCommit), std::string::npos) << r.out;
}

TEST(Cli, CheckPrintsResolvedConfigWithDefaultsAndEstimates) {
  const TempDir dir;
  const std::string path = dir.file("ok.toml");
  write_file(path, small_config(dir.file("run.h5")));
  const auto r = run_cli({"check", path, "--set", "simulation.seed=11"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("seed = 11"), std::string::npos) << r.out;
  // Defaults that were applied appear in the resolved config.
  EXPECT_NE(r.out.find("differentiation = true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("method = 'implicit_lod'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("estimated memory"), std::string::npos);
  EXPECT_NE(r.out.find("40 agents"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace regensim
