#include "sim/compare/statistics.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace regensim::sim::stats {

namespace {

/// Continued fraction of the incomplete beta function (modified Lentz), converging for
/// x < (a + 1) / (a + b + 2); Numerical Recipes 3rd ed., eq. 6.4.5.
double beta_continued_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-15;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::abs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  // One Lentz step with coefficient aa; returns the factor it multiplies h by.
  const auto step = [&](double aa) {
    d = 1.0 + aa * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    return d * c;
  };
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    h *= step(m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)));
    const double delta = step(-(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)));
    h *= delta;
    if (std::abs(delta - 1.0) < kEps) break;
  }
  return h;
}

/// Regularised incomplete beta function I_x(a, b).
double incomplete_beta(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                                a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_continued_fraction(a, b, x) / a;
  return 1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b;
}

}  // namespace

double mean(std::span<const double> x) {
  assert(!x.empty());
  double sum = 0.0;
  for (const double v : x) sum += v;
  return sum / static_cast<double>(x.size());
}

double sample_sd(std::span<const double> x) {
  assert(x.size() >= 2);
  const double m = mean(x);
  double ss = 0.0;
  for (const double v : x) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

double student_t_cdf(double t, double df) {
  // P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2).
  const double tail = 0.5 * incomplete_beta(0.5 * df, 0.5, df / (df + t * t));
  return t >= 0.0 ? 1.0 - tail : tail;
}

double student_t_quantile(double p, double df) {
  assert(p > 0.0 && p < 1.0 && df > 0.0);
  if (p < 0.5) return -student_t_quantile(1.0 - p, df);
  double low = 0.0;
  double high = 1.0;
  while (student_t_cdf(high, df) < p) high *= 2.0;
  // Bisection: the cdf is monotone, so this converges to the last bit.
  for (int i = 0; i < 200 && high - low > 4.0 * std::numeric_limits<double>::epsilon() * high;
       ++i) {
    const double mid = 0.5 * (low + high);
    (student_t_cdf(mid, df) < p ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

Interval mean_interval(std::span<const double> x, double level) {
  assert(x.size() >= 2 && level > 0.0 && level < 1.0);
  // Identical replicates (an effect that is exactly zero, a deterministic outcome) must
  // give exactly that value, which the rounding of sum / n would not.
  if (std::all_of(x.begin(), x.end(), [&](double v) { return v == x.front(); })) {
    return {x.front(), x.front(), x.front()};
  }
  const double n = static_cast<double>(x.size());
  const double m = mean(x);
  const double half =
      student_t_quantile(0.5 * (1.0 + level), n - 1.0) * sample_sd(x) / std::sqrt(n);
  return {m, m - half, m + half};
}

}  // namespace regensim::sim::stats
