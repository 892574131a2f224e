#pragma once
// Statistics for timings: the median with a distribution-free confidence interval,
// confidence intervals of ratios (paired by round, or bootstrapped), the two-sided Mann-Whitney U
// test as Google Benchmark's compare.py runs it (scipy's mannwhitneyu), the verdict of
// `concur compare`, and the adaptive-repetitions rule. Self-contained: the standard library only.
//
// Conventions: samples are positive times (or rates); a ratio a / b with a CI containing 1 means
// "no difference resolved". Empty samples and levels outside (0, 1) throw std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace concur::stats {

inline constexpr double default_level = 0.95;

// A confidence interval and how much it really covers. Order-statistic intervals have a discrete
// coverage (e.g. 97.85 % at n = 10 when 95 % was asked); a bootstrap interval reports the level
// it was asked for. below_level: the sample is too small to reach the level at all (n <= 5 for
// 95 %), so the interval is the widest available and covers only `coverage`.
struct interval {
  double lo = 0;
  double hi = 0;
  double coverage = 0;
  bool below_level = false;

  bool contains(double x) const { return lo <= x && x <= hi; }
};

// Whether a ratio's interval contains 1: the data cannot tell the two sides apart.
inline bool no_difference_resolved(const interval& ratio_ci) {
  return ratio_ci.contains(1.0);
}

// The order statistics [x_(lower), x_(upper)] (1-based ranks of the sorted sample) that bound the
// median at the given level: the largest symmetric pair (lower = n + 1 - upper) whose coverage
// P(lower <= B < upper), B ~ Binomial(n, 1/2), is still >= level. When even [x_(1), x_(n)] falls
// short (coverage 1 - 2 * 0.5^n < level), that pair with below_level set.
struct rank_interval {
  std::size_t lower = 0;
  std::size_t upper = 0;
  double coverage = 0;
  bool below_level = false;
};
rank_interval median_ranks(std::size_t n, double level = default_level);

// One cell's repetitions described.
struct summary {
  std::size_t n = 0;
  double median = 0;
  double min = 0;
  double max = 0;
  double mean = 0;
  double cv = 0;  // sample standard deviation (n - 1) / mean; NaN when n == 1
  // 1.4826 * the median absolute deviation / the median: the CV of normal data, but moved by a
  // single outlier no more than by any other run (one stalled run of five cannot double it, as it
  // can the CV). NaN when n == 1.
  double robust_cv = 0;
  interval median_ci;   // from order statistics (median_ranks), distribution-free
  rank_interval ranks;  // which order statistics median_ci is
};
summary describe(std::span<const double> sample, double level = default_level);

// A ratio with its confidence interval.
struct ratio {
  double estimate = 0;
  interval ci;
};

// Paired ratio: the per-round ratios a_i / b_i, their median and its order-statistic interval.
// Pairing cancels drift that hits both sides of a round. a and b must have the same length.
ratio paired_ratio(std::span<const double> a, std::span<const double> b,
                   double level = default_level);

struct bootstrap_options {
  std::size_t resamples = 10'000;
  std::uint64_t seed = 0x5eed'c0dc'0ffe'e000;
  double level = default_level;
};

// Unpaired ratio median(a) / median(b) and its percentile-bootstrap interval: a and b resampled
// independently with replacement, the ratio of the resampled medians, the interval between the
// (1 - level) / 2 and (1 + level) / 2 quantiles. Deterministic for a given seed, on any standard
// library (std::mt19937_64 is fully specified; the distributions are not, so none is used).
// below_level is set when the smaller sample is too small for an order-statistic interval of the
// median at that level (n <= 5 for 95 %): the resampled medians then take only a handful of
// values and the interval's coverage is anyone's guess, so reports mark it like a short median.
ratio bootstrap_ratio(std::span<const double> a, std::span<const double> b,
                      const bootstrap_options& options = {});

// One stratum of a geometric mean of ratios: the numerator's and the denominator's runs of one
// case, paired (a[i] and b[i] ran in the same round) or not. Its ratio is median(a) / median(b)
// either way: a ratio of medians is transitive (a/b times b/c is a/c), so the geometric means of
// models over the same cases order them as their ratios to one another do, and the lowest is at
// most 1x of every other; the medians of per-round ratios are not, and a summary built on them
// could name a best that another model is below 1x of. Pairing serves the interval.
struct ratio_stratum {
  std::span<const double> a, b;
  bool paired = false;
};

// The geometric mean over the strata of each stratum's ratio, with a stratified percentile-
// bootstrap interval: in each resample every stratum's runs are resampled with replacement on
// their own (a paired stratum's rounds drawn as pairs), its ratio of medians taken again, and the
// geometric mean of those; the interval between the (1 - level) / 2 and (1 + level) / 2 quantiles
// of the resampled means. The strata are fixed (the interval is the uncertainty of the measurement,
// not of the choice of cases). below_level as bootstrap_ratio's, when any stratum has too few runs
// for an order-statistic interval of its median. Deterministic for a given seed.
ratio bootstrap_geometric_mean(std::span<const ratio_stratum> strata,
                               const bootstrap_options& options = {});

// The building blocks of a percentile bootstrap of any statistic of medians (report/fit.cpp):
// options.resamples times, every sample resampled with replacement (in order, with the same
// generator as bootstrap_ratio) and `use` called with their medians; then the interval between
// the (1 - level) / 2 and (1 + level) / 2 quantiles of the replicates `use` computed.
void resample_medians(std::span<const std::vector<double>> samples,
                      const bootstrap_options& options,
                      const std::function<void(std::span<const double> medians)>& use);
interval percentile_interval(std::vector<double> replicates, double level = default_level);

// Two-sided Mann-Whitney U test, as scipy.stats.mannwhitneyu(x, y, alternative='two-sided') with
// its defaults (method='auto', use_continuity=True), which is what Google Benchmark's compare.py
// reports. u is scipy's statistic: U of x (pairs with x_i > y_j, ties counted 1/2).
struct u_test {
  double u = 0;
  double p = 1;
  bool exact = false;  // the exact distribution was used, rather than the normal approximation
};
u_test mann_whitney_u(std::span<const double> x, std::span<const double> y);

enum class verdict { faster, slower, no_change_resolved };
const char* to_string(verdict v);

struct compare_options {
  double threshold = 0.05;  // a change smaller than this fraction is within the noise floor
  double alpha = 0.05;      // significance level of the U test
  bootstrap_options bootstrap{};
};

// One cell of `concur compare`: the change from base to candidate (the new run).
struct change {
  ratio
      new_over_base;  // median(candidate) / median(base), bootstrap interval: > 1 is slower (times)
  u_test test;        // on the repetitions, candidate against base
  verdict outcome = verdict::no_change_resolved;
  // The whole interval lies beyond 1 +- threshold: the change is larger than the noise floor.
  // Independent of the verdict; a regression gate wants outcome == slower && beyond_threshold.
  bool beyond_threshold = false;
};
// The rule: a change is resolved only when both the U test rejects "same distribution"
// (p < alpha) and the ratio's interval excludes 1. Either alone is not enough: the U test reacts to
// any shift of the distribution, however tiny, and with few repetitions the bootstrap interval is
// coarse (it can exclude 1 at 3 vs 3 values, where the U test cannot go below p = 0.1). The verdict
// says which way; beyond_threshold says whether it is large enough to matter against the machine's
// run-to-run noise.
change compare(std::span<const double> base, std::span<const double> candidate,
               const compare_options& options = {});

// Adaptive repetitions: enough runs when there are at least min_runs and the
// median's interval reaches no further than rel_half_width * median on either side. At min_runs
// = 5 and 95 % the interval is [min, max] (covering 93.75 %): accepted, since the whole range is
// already within the bound.
bool precise_enough(std::span<const double> times, double rel_half_width = 0.02,
                    std::size_t min_runs = 5, double level = default_level);

}  // namespace concur::stats
