// Student-t quantiles against published values, and t intervals and factorial effects
// against hand computations.
#include "sim/compare/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "sim/compare/factorial.hpp"

namespace regensim::sim {
namespace {

TEST(StudentT, QuantilesMatchPublishedValues) {
  struct Case {
    double p, df, expected;  // R: qt(p, df)
  };
  const Case cases[] = {{0.975, 1, 12.706204736174698}, {0.975, 2, 4.302652729749464},
                        {0.975, 3, 3.182446305284263},  {0.975, 4, 2.776445105197793},
                        {0.975, 9, 2.262157162798205},  {0.975, 29, 2.045229642132703},
                        {0.95, 10, 1.812461122811676},  {0.995, 5, 4.032142983557536},
                        {0.025, 4, -2.776445105197793}, {0.5, 7, 0.0}};
  for (const auto& c : cases) {
    EXPECT_NEAR(stats::student_t_quantile(c.p, c.df), c.expected,
                1e-9 * std::abs(c.expected) + 1e-12)
        << "p = " << c.p << ", df = " << c.df;
  }
}

TEST(StudentT, QuantilesMatchClosedFormsForOneAndTwoDegreesOfFreedom) {
  for (const double p : {0.6, 0.9, 0.975, 0.999}) {
    EXPECT_NEAR(stats::student_t_quantile(p, 1), std::tan(std::numbers::pi * (p - 0.5)), 1e-9);
    EXPECT_NEAR(stats::student_t_quantile(p, 2), (2 * p - 1) / std::sqrt(2 * p * (1 - p)), 1e-10);
  }
  // Large df tends to the normal quantile.
  EXPECT_NEAR(stats::student_t_quantile(0.975, 1e7), 1.959963984540054, 1e-6);
}

TEST(StudentT, CdfInvertsTheQuantile) {
  for (const double df : {1.0, 2.5, 6.0, 40.0}) {
    for (const double p : {0.01, 0.3, 0.8, 0.975}) {
      EXPECT_NEAR(stats::student_t_cdf(stats::student_t_quantile(p, df), df), p, 1e-12);
    }
  }
}

TEST(MeanInterval, MatchesTheHandComputedTInterval) {
  const std::vector<double> x = {1.0, 2.0, 3.0, 4.0};
  const auto i = stats::mean_interval(x);
  const double half = 3.182446305284263 * std::sqrt(5.0 / 3.0) / 2.0;  // t(0.975, 3) sd/sqrt(n)
  EXPECT_DOUBLE_EQ(i.mean, 2.5);
  EXPECT_NEAR(i.low, 2.5 - half, 1e-12);
  EXPECT_NEAR(i.high, 2.5 + half, 1e-12);
  const std::vector<double> same = {0.7, 0.7, 0.7};
  const auto z = stats::mean_interval(same);
  EXPECT_EQ(z.high - z.low, 0.0) << "identical replicates give a zero-width interval";
}

// Arms [sham, differentiation_only, paracrine_only, both] x 2 replicates x 1 row.
const std::vector<std::string> kArms = {"sham", "differentiation_only", "paracrine_only", "both"};
const std::vector<std::vector<std::vector<double>>> kValues = {
    {{1.0}, {2.0}}, {{3.0}, {3.0}}, {{6.0}, {7.0}}, {{10.0}, {12.0}}};

const compare::EffectDef& effect(const std::vector<compare::EffectDef>& all, const std::string& n) {
  for (const auto& e : all) {
    if (e.name == n) return e;
  }
  throw std::runtime_error("no effect " + n);
}

TEST(Factorial, EffectsArePairedWithinReplicates) {
  const auto effects = compare::factorial_effects(false);
  const auto per = [&](const std::string& name) {
    const auto v = compare::effect_per_replicate(kValues, kArms, effect(effects, name));
    return std::vector<double>{v[0][0], v[1][0]};
  };
  EXPECT_EQ(per("total_benefit"), (std::vector<double>{9.0, 10.0}));
  EXPECT_EQ(per("differentiation_alone"), (std::vector<double>{2.0, 1.0}));
  EXPECT_EQ(per("paracrine_alone"), (std::vector<double>{5.0, 5.0}));
  EXPECT_EQ(per("interaction"), (std::vector<double>{2.0, 4.0}));
  // phi_D = ((D - 0) + (DP - P)) / 2, phi_P = ((P - 0) + (DP - D)) / 2.
  EXPECT_EQ(per("shapley_differentiation"), (std::vector<double>{3.0, 3.0}));
  EXPECT_EQ(per("shapley_paracrine"), (std::vector<double>{6.0, 7.0}));

  const auto s = compare::summarise_replicates(
      compare::effect_per_replicate(kValues, kArms, effect(effects, "shapley_paracrine")));
  const double half = 12.706204736174698 * std::sqrt(0.5) / std::sqrt(2.0);
  EXPECT_DOUBLE_EQ(s.mean[0], 6.5);
  EXPECT_NEAR(s.low[0], 6.5 - half, 1e-9);
  EXPECT_NEAR(s.high[0], 6.5 + half, 1e-9);
}

TEST(Factorial, UntreatedAddsAnArmAndTheShamEffect) {
  CompareParams p;
  p.sham = {{"rules.injection.count=0", "x"}};
  EXPECT_EQ(compare::factorial_arms(p).size(), 4u);
  EXPECT_EQ(compare::factorial_effects(false).size(), 6u);
  p.untreated = {{"rules.injury.radius_um=0", "x"}};
  const auto arms = compare::factorial_arms(p);
  ASSERT_EQ(arms.size(), 5u);
  EXPECT_EQ(arms[0].name, "untreated");
  EXPECT_EQ(arms[1].name, "sham");
  EXPECT_EQ(arms[1].overrides.back(), "rules.injection.count=0");
  EXPECT_EQ(arms[4].name, "both");
  EXPECT_EQ(compare::factorial_effects(true).back().name, "sham_minus_untreated");
}

}  // namespace
}  // namespace regensim::sim
