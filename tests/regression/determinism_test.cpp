// Same config and seed give identical bytes in every output dataset for any thread
// count (style.md, rule 4).
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/regression/h5_compare.hpp"
#include "tests/test_support.hpp"

namespace regensim {
namespace {

using testing::run_cli;
using testing::TempDir;

TEST(Determinism, OneAndTwoThreadsGiveIdenticalDatasets) {
  const TempDir dir;
  const std::string config = dir.file("block.toml");
  testing::write_file(config, testing::small_config(dir.file("unused.h5"), 6));
  // Every run writes the same path (it is part of /config), then is moved aside.
  const std::string out = dir.file("run.h5");
  const auto run_as = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", config, "-o", out, "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_cli(args);
    std::filesystem::rename(out, dir.file(name));
    return r;
  };
  const auto a = run_as("t1.h5", {"--threads", "1"});
  ASSERT_EQ(a.status, 0) << a.err;
  const auto b = run_as("t2.h5", {"--threads", "2"});
  ASSERT_EQ(b.status, 0) << b.err;
  const auto c = run_as("seed.h5", {"--threads", "2", "--set", "simulation.seed=8"});
  ASSERT_EQ(c.status, 0) << c.err;
  // The quasi-steady oxygen solve (conjugate gradients, row sums) too, with each
  // preconditioner.
  for (const char* threads : {"1", "2"}) {
    const auto q = run_as(std::string("steady") + threads + ".h5",
                          {"--threads", threads, "--set", "fields.oxygen.quasi_steady=true"});
    ASSERT_EQ(q.status, 0) << q.err;
    const auto m = run_as(std::string("multigrid") + threads + ".h5",
                          {"--threads", threads, "--set", "fields.oxygen.quasi_steady=true",
                           "--set", "solver.steady_preconditioner=multigrid"});
    ASSERT_EQ(m.status, 0) << m.err;
  }

  // The exact cosine-transform steps of VEGF (secretion only; its x_low face made
  // no-flux so that it qualifies), against the same field by Douglas sub-steps.
  const std::vector<std::string> no_flux = {"--set", "fields.vegf.boundary.x_low=no_flux"};
  for (const char* threads : {"1", "2"}) {
    std::vector<std::string> args = {"--threads", threads, "--set", "solver.exact_steps=true"};
    args.insert(args.end(), no_flux.begin(), no_flux.end());
    const auto e = run_as(std::string("exact") + threads + ".h5", args);
    ASSERT_EQ(e.status, 0) << e.err;
  }
  std::vector<std::string> douglas_args = {"--threads", "2"};
  douglas_args.insert(douglas_args.end(), no_flux.begin(), no_flux.end());
  const auto d = run_as("douglas.h5", douglas_args);
  ASSERT_EQ(d.status, 0) << d.err;

  // Reads <name>1.h5 and <name>2.h5 (1 and 2 threads), expects the same bytes in every
  // dataset and returns the first.
  const auto agree = [&](const std::string& name) {
    const auto a = testing::read_all_datasets(dir.file(name + "1.h5"));
    const auto b = testing::read_all_datasets(dir.file(name + "2.h5"));
    EXPECT_EQ(a.size(), b.size()) << name;
    for (const auto& [path, bytes] : a) {
      if (b.count(path) == 0) {
        ADD_FAILURE() << path << " missing from the 2-thread run (" << name << ")";
        continue;
      }
      EXPECT_TRUE(bytes == b.at(path))
          << path << " differs between 1 and 2 threads (" << name << ")";
    }
    return a;
  };
  const auto one = agree("t");
  ASSERT_GT(one.size(), 20u) << "expected fields, tissue, agents and metrics datasets";
  const auto steady1 = agree("steady");
  EXPECT_FALSE(steady1.at("/fields/oxygen") == one.at("/fields/oxygen"))
      << "the quasi-steady runs solved oxygen differently";
  const auto multigrid1 = agree("multigrid");
  EXPECT_FALSE(multigrid1.at("/fields/oxygen") == steady1.at("/fields/oxygen"))
      << "the multigrid-preconditioned solve took other iterates";
  const auto exact1 = agree("exact");
  const auto douglas = testing::read_all_datasets(dir.file("douglas.h5"));
  EXPECT_FALSE(exact1.at("/fields/vegf") == douglas.at("/fields/vegf"))
      << "the exact-step run solved VEGF as the Douglas run did";
  EXPECT_TRUE(exact1.at("/fields/oxygen") == douglas.at("/fields/oxygen"))
      << "oxygen (fixed vessels, uptake) should keep its Douglas steps";
  // The comparison has teeth: another seed moves the cells and so the fields.
  const auto other = testing::read_all_datasets(dir.file("seed.h5"));
  EXPECT_FALSE(other.at("/fields/oxygen") == one.at("/fields/oxygen"));
  EXPECT_FALSE(other.at("/agents/4/x") == one.at("/agents/4/x"));
  // The resolved config names the file written (-o), not the config's output.file.
  const auto& config_text = one.at("/config");
  EXPECT_NE(std::string(config_text.begin(), config_text.end()).find(out), std::string::npos);
}

}  // namespace
}  // namespace regensim
