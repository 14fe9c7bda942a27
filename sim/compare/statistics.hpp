#pragma once
/// Small-sample statistics for `regensim compare`: Student-t quantiles (computed here,
/// no external library) and t-based confidence intervals of a mean. Sums run in index
/// order, so results do not depend on anything but the input.
#include <span>

namespace regensim::sim::stats {

/// Arithmetic mean; precondition: x non-empty.
double mean(std::span<const double> x);
/// Sample standard deviation (divisor n - 1); precondition: x.size() >= 2.
double sample_sd(std::span<const double> x);

/// P(T <= t) for Student's t with `df` > 0 degrees of freedom.
double student_t_cdf(double t, double df);
/// The p-quantile of Student's t with `df` > 0 degrees of freedom; p in (0, 1).
/// Accurate to about 1e-12 relative (bisection on student_t_cdf).
double student_t_quantile(double p, double df);

/// A mean with a two-sided confidence interval.
struct Interval {
  double mean = 0.0;
  double low = 0.0;
  double high = 0.0;
};

/// Mean of x with the t interval mean +- t_{(1+level)/2, n-1} * sd / sqrt(n).
/// Precondition: x.size() >= 2, level in (0, 1). Identical values give a zero-width
/// interval.
Interval mean_interval(std::span<const double> x, double level = 0.95);

}  // namespace regensim::sim::stats
