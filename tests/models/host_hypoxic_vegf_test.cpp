// host_hypoxic_vegf on hand-built lattices: living tissue secretes VEGF at the falling
// Hill of oxygen (hand-computed values), only in listed kinds and layers; necrotic tissue
// and reoxygenated tissue make none; the switch switches; bad keys name themselves.
#include <gtest/gtest.h>

#include "host_test_support.hpp"
#include "models/host_hypoxic_vegf.hpp"
#include "sim/core/error.hpp"

namespace regensim::models {
namespace {

using host_test::add_uniform_field;
using host_test::ctx_at;

struct VegfWorld {
  sim::World w{sim::Lattice(3, 1, 1, 20.0), 1, 30.0};
  HostHypoxicVegfParams p;
  sim::Mechanisms m;
  explicit VegfWorld(double oxygen) {
    host_test::prepare(w);
    p.vegf_field = add_uniform_field(w, "vegf", 0.0);
    p.oxygen_field = add_uniform_field(w, "oxygen", oxygen);
    p.tissue_kinds = ~0u;
  }
  /// Secretion point terms of one Secrete step, by voxel (0 where none).
  std::vector<double> secrete() {
    auto& terms = w.fields()[static_cast<std::size_t>(p.vegf_field)].point_terms();
    terms.clear();
    HostHypoxicVegf rule("hif", p, m, w);
    rule.apply(sim::Phase::Secrete, w, ctx_at(0));
    std::vector<double> out(w.lattice().size(), 0.0);
    for (const auto& t : terms) {
      EXPECT_EQ(t.uptake_per_min, 0.0f);
      out[t.voxel] += t.secretion_per_min;
    }
    return out;
  }
};

TEST(HostHypoxicVegf, SecretionIsFallingHillOfOxygenTimesLivingTissue) {
  // Defaults: s_max 0.05, K_O 8 mmHg, n_O 4.
  const HostHypoxicVegfParams d;
  EXPECT_NEAR(d.secretion_per_min(1.0, 8.0), 0.025, 1e-12);                      // half at K_O
  EXPECT_NEAR(d.secretion_per_min(1.0, 4.0), 0.05 * 4096.0 / 4352.0, 1e-12);     // 0.9412 s_max
  EXPECT_NEAR(d.secretion_per_min(0.5, 16.0), 0.025 * 4096.0 / 69632.0, 1e-12);  // 1/17
  EXPECT_NEAR(d.secretion_per_min(1.0, 0.0), 0.05, 1e-12);                       // anoxic: maximum

  VegfWorld s(4.0);
  const TissueState t = TissueState::of(s.w);
  t.viable[0] = 1.0f;
  t.viable[1] = 0.4f;
  t.necrotic[1] = 0.6f;  // dead tissue has no HIF response
  t.necrotic[2] = 1.0f;
  const auto rate = s.secrete();
  EXPECT_NEAR(rate[0], 0.05 * 4096.0 / 4352.0, 1e-7);
  EXPECT_NEAR(rate[1], 0.4 * 0.05 * 4096.0 / 4352.0, 1e-7);
  EXPECT_EQ(rate[2], 0.0);
}

TEST(HostHypoxicVegf, OxygenatedTissueStopsSecreting) {
  VegfWorld hypoxic(2.0), normoxic(38.0);
  for (VegfWorld* s : {&hypoxic, &normoxic}) TissueState::of(s->w).viable[1] = 1.0f;
  EXPECT_NEAR(hypoxic.secrete()[1], 0.05 * 4096.0 / (4096.0 + 16.0), 1e-7);
  // 38 mmHg (capillary pO2): h_low = 8^4 / (8^4 + 38^4) = 0.0020.
  EXPECT_NEAR(normoxic.secrete()[1], 0.05 * 4096.0 / (4096.0 + 2085136.0), 1e-8);
}

TEST(HostHypoxicVegf, OnlyListedKindsAndLayersSecrete) {
  VegfWorld s(0.0);
  const TissueState t = TissueState::of(s.w);
  for (int v = 0; v < 3; ++v) t.viable[v] = 0.5f;
  t.regen_spontaneous[0] = 0.25f;
  t.tissue_type[0] = 2;  // bone
  t.tissue_type[1] = 3;  // marrow
  t.tissue_type[2] = 4;  // myocardium
  s.p.tissue_kinds = (1u << 2) | (1u << 4);
  s.p.layers = {"viable", "regen_spontaneous"};
  const auto rate = s.secrete();
  EXPECT_NEAR(rate[0], 0.05 * 0.75, 1e-7);
  EXPECT_EQ(rate[1], 0.0);
  EXPECT_NEAR(rate[2], 0.05 * 0.5, 1e-7);
}

TEST(HostHypoxicVegf, SwitchedOffSecretesNothing) {
  VegfWorld s(0.0);
  TissueState::of(s.w).viable[0] = 1.0f;
  s.m.hypoxic_vegf = false;
  EXPECT_EQ(s.secrete()[0], 0.0);
  s.m.hypoxic_vegf = true;
  EXPECT_NEAR(s.secrete()[0], 0.05, 1e-7);
}

TEST(HostHypoxicVegf, ConfigErrorsNameTheKey) {
  const auto error_of = [](const std::string& text) -> std::string {
    sim::World w(sim::Lattice(3, 3, 1, 20.0), 1, 30.0);
    add_uniform_field(w, "vegf", 0.0);
    add_uniform_field(w, "oxygen", 0.0);
    host_test::Snippet snip(text);
    sim::ConfigTable t = snip.table();
    try {
      HostHypoxicVegfParams::read(t, w);
      t.finish();
    } catch (const sim::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error_of(""), "");
  EXPECT_NE(error_of("max_secretion_per_min = -1.0\n").find("max_secretion_per_min"),
            std::string::npos);
  EXPECT_NE(error_of("hypoxia_half_max = 0.0\n").find("hypoxia_half_max"), std::string::npos);
  EXPECT_NE(error_of("layers = [\"scar\"]\n").find("layers"), std::string::npos);
  EXPECT_NE(error_of("tissue_types = [\"brain\"]\n").find("tissue_types"), std::string::npos);
  EXPECT_NE(error_of("vegf_field = \"vgef\"\n").find("vegf_field"), std::string::npos);
  EXPECT_NE(error_of("hypoxia_halfmax = 3.0\n").find("hypoxia_halfmax"), std::string::npos);
}

}  // namespace
}  // namespace regensim::models
