// host_repair on hand-built lattices: the rate follows its equation, the provenance split
// attributes exactly the MSC-caused excess to paracrine, and repair stays out of scar.
#include <gtest/gtest.h>

#include "host_test_support.hpp"
#include "models/host_repair.hpp"
#include "sim/core/error.hpp"

namespace regensim::models {
namespace {

using host_test::add_uniform_field;
using host_test::ctx_at;

// A 12 x 3 strip: column 0 intact viable tissue, the rest an injured, cleared core.
struct RepairWorld {
  sim::World w{sim::Lattice(12, 3, 1, 20.0), 1, 30.0};
  HostRepairParams p;
  RepairWorld(double stimulus, double stimulus_msc) {
    host_test::prepare(w);
    p.stimulus_field = add_uniform_field(w, "trophic", stimulus);
    p.msc_origin_field = add_uniform_field(w, "trophic_msc", stimulus_msc);
    p.tissue_kinds = ~0u;
    const TissueState s = TissueState::of(w);
    for (std::size_t v = 0; v < s.size; ++v) {
      s.tissue_type[v] = 4;
      const auto c = w.lattice().coord(static_cast<sim::VoxelIndex>(v));
      if (c.x == 0) {
        s.viable[v] = 1.0f;
      } else {
        s.injury[v] = kInjuryCore;
      }
    }
  }
  void run(int steps) {
    HostRepair rule("repair", p, w);
    for (int k = 0; k < steps; ++k) rule.apply(sim::Phase::Act, w, ctx_at(k));
  }
  float paracrine(int x) const { return layer("regen_paracrine", x); }
  float spontaneous(int x) const { return layer("regen_spontaneous", x); }
  float layer(const char* name, int x) const {
    return w.tissue().find(name)->fractions[w.lattice().index(x, 1, 0)];
  }
};

constexpr double kDtDay = 30.0 / 1440.0;

TEST(HostRepair, BaseRateWithoutStimulusIsAllSpontaneous) {
  RepairWorld r(0.0, 0.0);
  r.run(1);
  EXPECT_NEAR(r.spontaneous(1), 1.0 - std::exp(-0.05 * kDtDay), 1e-7);
  EXPECT_EQ(r.paracrine(1), 0.0f);
  EXPECT_EQ(r.spontaneous(2), 0.0f);  // not yet at the front
}

TEST(HostRepair, HostMadeStimulusIsSpontaneous) {
  RepairWorld r(1.0, 0.0);  // T = K: h = 1/2, rate 0.05 * (1 + 2 * 0.5) = 0.1/day
  r.run(1);
  EXPECT_NEAR(r.spontaneous(1), 1.0 - std::exp(-0.1 * kDtDay), 1e-7);
  EXPECT_EQ(r.paracrine(1), 0.0f);
}

TEST(HostRepair, MscMadeStimulusExcessIsAllParacrine) {
  RepairWorld r(1.0, 1.0);
  r.run(1);
  const double total = 1.0 - std::exp(-0.1 * kDtDay);
  EXPECT_NEAR(r.paracrine(1) + r.spontaneous(1), total, 1e-7);
  EXPECT_NEAR(r.paracrine(1), total * 0.5, 1e-7);  // excess r0*G*h over the base r0
}

TEST(HostRepair, PartlyMscStimulusSplitsByHillDifferenceAndSums) {
  HostRepairParams p;
  const auto r = p.rates_per_day(3.0, 1.0);  // h(3) = 0.75, h(2) = 2/3
  EXPECT_NEAR(r.total, 0.05 * (1.0 + 2.0 * 0.75), 1e-12);
  EXPECT_NEAR(r.paracrine, 0.05 * 2.0 * (0.75 - 2.0 / 3.0), 1e-12);
  RepairWorld w(3.0, 1.0);
  w.run(1);
  const double total = 1.0 - std::exp(-r.total * kDtDay);
  EXPECT_NEAR(w.paracrine(1) + w.spontaneous(1), total, 1e-7);
  EXPECT_NEAR(w.paracrine(1) / total, r.paracrine / r.total, 1e-5);
}

TEST(HostRepair, FrontAdvancesFractionsStayBoundedAndScarBlocks) {
  RepairWorld r(5.0, 2.0);
  r.p.base_rate_per_day = 1.0;
  const TissueState s = TissueState::of(r.w);
  const auto scar_voxel = r.w.lattice().index(6, 1, 0);
  s.scar[scar_voxel] = 1;
  s.collagen[scar_voxel] = 0.6f;
  s.necrotic[r.w.lattice().index(3, 1, 0)] = 0.4f;  // debris takes space until cleared
  r.run(20 * 48);
  EXPECT_TRUE(host_test::fractions_valid(r.w));
  EXPECT_GT(r.spontaneous(5) + r.paracrine(5), 0.99f);  // front crossed five voxels
  EXPECT_NEAR(r.spontaneous(3) + r.paracrine(3), 0.6f, 1e-4);
  EXPECT_EQ(r.spontaneous(6) + r.paracrine(6), 0.0f);  // scar: never regrows
  EXPECT_EQ(r.layer("viable", 0), 1.0f);               // intact voxel untouched
}

TEST(HostRepair, SameResultOnOneAndTwoThreads) {
  const auto run = [](int threads) {
    RepairWorld r(2.0, 1.0);
    auto& t = r.w.fields()[0].values();
    for (std::size_t v = 0; v < t.size(); ++v) t[v] = static_cast<float>(v % 7);
    host_test::with_threads(threads, [&] { r.run(200); });
    return r.w.tissue().find("regen_paracrine")->fractions;
  };
  EXPECT_EQ(run(1), run(2));
}

TEST(HostRepair, OriginFieldWithoutStimulusIsAConfigError) {
  sim::World w(sim::Lattice(3, 3, 1, 20.0), 1, 30.0);
  add_uniform_field(w, "trophic_msc", 0.0);
  host_test::Snippet snip("msc_origin_field = \"trophic_msc\"\n");
  auto t = snip.table();
  EXPECT_THROW(HostRepairParams::read(t, w), sim::ConfigError);
}

}  // namespace
}  // namespace regensim::models
