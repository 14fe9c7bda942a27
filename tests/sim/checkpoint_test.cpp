// Checkpoint round trip of the whole run state, and the checks on restored agents.
#include "sim/run/checkpoint.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "sim/core/error.hpp"
#include "tests/test_support.hpp"

namespace regensim {
namespace {

using testing::TempDir;

TEST(Checkpoint, PathBesideTheOutput) {
  EXPECT_EQ(sim::checkpoint_path_for("out/a.h5"), "out/a.checkpoint.h5");
  EXPECT_EQ(sim::checkpoint_path_for("a.hdf5"), "a.hdf5.checkpoint.h5");
}

TEST(Checkpoint, RoundTripRestoresEveryPartOfTheState) {
  const TempDir dir;
  sim::RuleRegistry registry;
  sim::register_models(registry);
  auto doc = sim::ConfigDocument::from_string(testing::small_config(dir.file("x.h5"), 3), "t");
  auto a = sim::Simulation::build(doc, registry);
  for (int i = 0; i < 5; ++i) a->step();
  a->world().counters()["cells_delivered"] = 12.5;
  a->world().agents().mark_for_removal(0);
  a->world().agents().compact();  // ids no longer 1..n, next_id ahead of the largest
  const std::string path = dir.file("c.checkpoint.h5");
  sim::write_checkpoint(path, *a, doc.to_toml(), {dir.file("x.h5"), {3, 7}});
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  auto r = sim::read_checkpoint(path, registry);
  const sim::World& w = r.simulation->world();
  EXPECT_EQ(w.step(), 5);
  EXPECT_EQ(r.output.path, dir.file("x.h5"));
  EXPECT_EQ(r.output.position.snapshots, 3);
  EXPECT_EQ(r.output.position.metric_rows, 7);
  EXPECT_EQ(r.config_toml, doc.to_toml());
  EXPECT_EQ(w.counters().at("cells_delivered"), 12.5);
  const auto& sa = a->world().agents();
  const auto& sb = w.agents();
  EXPECT_EQ(sb.next_id(), sa.next_id());
  EXPECT_EQ(sb.ids(), sa.ids());
  EXPECT_EQ(sb.voxels(), sa.voxels());
  EXPECT_EQ(sb.parents(), sa.parents());
  EXPECT_EQ(sb.birth_steps(), sa.birth_steps());
  for (std::size_t v = 0; v < w.lattice().size(); ++v) {
    ASSERT_EQ(sb.at(static_cast<sim::VoxelIndex>(v)), sa.at(static_cast<sim::VoxelIndex>(v)));
  }
  for (std::size_t f = 0; f < w.fields().size(); ++f) {
    EXPECT_EQ(w.fields()[f].values(), a->world().fields()[f].values());
    EXPECT_EQ(r.simulation->balances()[f].secreted, a->balances()[f].secreted);
    EXPECT_EQ(r.simulation->balances()[f].decayed, a->balances()[f].decayed);
  }
  const auto words_a = a->solver().carried_state();
  const auto words_b = r.simulation->solver().carried_state();
  ASSERT_EQ(words_a.size(), words_b.size());
  for (std::size_t i = 0; i < words_a.size(); ++i) EXPECT_EQ(words_a[i].value, words_b[i].value);
  // Both continue identically.
  a->step();
  r.simulation->step();
  EXPECT_EQ(w.field("oxygen").values(), a->world().field("oxygen").values());
}

TEST(Checkpoint, ConfigThatNoLongerFitsIsBadInput) {
  const TempDir dir;
  sim::RuleRegistry registry;
  sim::register_models(registry);
  auto doc = sim::ConfigDocument::from_string(testing::small_config(dir.file("x.h5")), "t");
  auto a = sim::Simulation::build(doc, registry);
  // The stored config makes a larger lattice than the stored state.
  std::string other = testing::small_config(dir.file("x.h5"));
  other.replace(other.find("[24, 20"), 7, "[30, 20");
  const std::string path = dir.file("c.checkpoint.h5");
  sim::write_checkpoint(path, *a, other, {dir.file("x.h5"), {1, 1}});
  EXPECT_THROW(sim::read_checkpoint(path, registry), sim::InputError);
}

TEST(AgentStoreRestore, RejectsTwoAgentsInOneVoxelAndKeepsTheStore) {
  sim::Lattice lattice(4, 4, 1, 10.0);
  sim::AgentStore store(lattice);
  store.add(0, 3, 0);
  sim::AgentStore::Arrays bad;
  bad.ids = {1, 2};
  bad.types = {0, 0};
  bad.voxels = {5, 5};
  bad.birth_steps = {0, 0};
  bad.parents = {0, 0};
  bad.next_id = 3;
  EXPECT_THROW(store.restore(bad), std::invalid_argument);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.at(3), 0u);
  bad.voxels = {5, 6};
  bad.next_id = 2;  // id 2 is not below next_id
  EXPECT_THROW(store.restore(bad), std::invalid_argument);
  bad.next_id = 9;
  store.restore(bad);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_FALSE(store.occupied(3));
  EXPECT_EQ(store.at(6), 1u);
  EXPECT_EQ(store.add(0, 7, 1), 2u);
  EXPECT_EQ(store.ids().back(), 9u);
}

}  // namespace
}  // namespace regensim
