// report/stats against known values. Where they come from:
// - order-statistic ranks and coverage: the binomial by hand, 1 - 2 * sum_{i<k} C(n, i) / 2^n,
//   checked with Python's fractions (exact rationals);
// - Mann-Whitney U and p-values: scipy 1.10.1 (Debian 12's python3-scipy),
//   scipy.stats.mannwhitneyu(x, y, alternative='two-sided'), the call Google Benchmark's
//   tools/gbench/report.py makes; hard-coded here, the project does not use scipy.
#include "report/stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace concur::stats {
namespace {

// --- order statistics -------------------------------------------------------------------------

TEST(stats_median_ranks, five_values_cannot_reach_95_percent) {
  const auto r = median_ranks(5);
  EXPECT_EQ(r.lower, 1u);
  EXPECT_EQ(r.upper, 5u);
  EXPECT_DOUBLE_EQ(r.coverage, 0.9375);  // 1 - 2 * 0.5^5
  EXPECT_TRUE(r.below_level);
}

TEST(stats_median_ranks, six_values_reach_it_with_min_and_max) {
  const auto r = median_ranks(6);
  EXPECT_EQ(r.lower, 1u);
  EXPECT_EQ(r.upper, 6u);
  EXPECT_DOUBLE_EQ(r.coverage, 0.96875);  // 1 - 2/64; [x_(2), x_(5)] would be 0.78125
  EXPECT_FALSE(r.below_level);
}

TEST(stats_median_ranks, ten_values) {
  const auto r = median_ranks(10);
  EXPECT_EQ(r.lower, 2u);
  EXPECT_EQ(r.upper, 9u);
  EXPECT_DOUBLE_EQ(r.coverage, 0.978515625);  // 1 - 2 * 11/1024; [3, 8] would be 0.890625
  EXPECT_FALSE(r.below_level);
}

TEST(stats_median_ranks, twenty_values) {
  const auto r = median_ranks(20);
  EXPECT_EQ(r.lower, 6u);
  EXPECT_EQ(r.upper, 15u);
  EXPECT_NEAR(r.coverage, 0.9586105346679688, 1e-12);  // 1 - 2 * 21700/2^20; [7, 14]: 0.8847
}

TEST(stats_median_ranks, fifty_values_and_other_levels) {
  const auto r = median_ranks(50);
  EXPECT_EQ(r.lower, 18u);
  EXPECT_EQ(r.upper, 33u);
  EXPECT_NEAR(r.coverage, 0.9671608624357315, 1e-12);
  const auto r90 = median_ranks(20, 0.90);
  EXPECT_EQ(r90.lower, 6u);  // [7, 14] covers 0.8847 < 0.90
  const auto r80 = median_ranks(20, 0.80);
  EXPECT_EQ(r80.lower, 7u);
  EXPECT_NEAR(r80.coverage, 0.8846817016601562, 1e-12);
  const auto r99 = median_ranks(10, 0.99);
  EXPECT_EQ(r99.lower, 1u);
  EXPECT_DOUBLE_EQ(r99.coverage, 0.998046875);
}

TEST(stats_median_ranks, tiny_and_large_samples) {
  EXPECT_EQ(median_ranks(1).coverage, 0.0);
  EXPECT_TRUE(median_ranks(1).below_level);
  EXPECT_DOUBLE_EQ(median_ranks(2).coverage, 0.5);
  // 0.5^n underflows past n = 1074: the log-space binomial still finds the normal-theory ranks,
  // n/2 -+ 1.96 sqrt(n)/2 = 2000 -+ 62.
  const auto big = median_ranks(4000);
  EXPECT_NEAR(static_cast<double>(big.lower), 1939, 2);
  EXPECT_EQ(big.lower + big.upper, 4001u);
  EXPECT_GE(big.coverage, 0.95);
  EXPECT_LT(big.coverage, 0.96);
}

TEST(stats_median_ranks, rejects_bad_arguments) {
  EXPECT_THROW(median_ranks(0), std::invalid_argument);
  EXPECT_THROW(median_ranks(10, 1.0), std::invalid_argument);
  EXPECT_THROW(median_ranks(10, 0.0), std::invalid_argument);
}

// --- describe ---------------------------------------------------------------------------------

TEST(stats_describe, ten_values) {
  const std::vector<double> x{7, 3, 9, 1, 5, 10, 2, 8, 4, 6};  // 1..10 shuffled
  const auto s = describe(x);
  EXPECT_EQ(s.n, 10u);
  EXPECT_DOUBLE_EQ(s.median, 5.5);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_NEAR(s.cv, std::sqrt(82.5 / 9) / 5.5, 1e-12);  // sum of squares 82.5, n - 1 = 9
  // |x - 5.5| is 0.5, 0.5, 1.5, 1.5, ..., 4.5, 4.5: its median is 2.5.
  EXPECT_NEAR(s.robust_cv, 1.4826 * 2.5 / 5.5, 1e-12);
  EXPECT_DOUBLE_EQ(s.median_ci.lo, 2);  // x_(2)
  EXPECT_DOUBLE_EQ(s.median_ci.hi, 9);  // x_(9)
  EXPECT_DOUBLE_EQ(s.median_ci.coverage, 0.978515625);
  EXPECT_FALSE(s.median_ci.below_level);
}

TEST(stats_describe, five_values_say_they_fall_short) {
  const std::vector<double> x{1.02, 0.99, 1.00, 1.05, 0.97};
  const auto s = describe(x);
  EXPECT_DOUBLE_EQ(s.median, 1.00);
  EXPECT_DOUBLE_EQ(s.median_ci.lo, 0.97);
  EXPECT_DOUBLE_EQ(s.median_ci.hi, 1.05);
  EXPECT_DOUBLE_EQ(s.median_ci.coverage, 0.9375);
  EXPECT_TRUE(s.median_ci.below_level);
}

// One stalled run of six multiplies the CV by ten and the robust CV by 1.5.
TEST(stats_describe, the_robust_cv_ignores_one_outlier) {
  const std::vector<double> quiet{1.00, 1.01, 0.99, 1.00, 1.02, 0.98};
  std::vector<double> stalled = quiet;
  stalled[3] = 2.0;
  const auto q = describe(quiet), s = describe(stalled);
  EXPECT_GT(s.cv, 10 * q.cv);
  EXPECT_NEAR(q.robust_cv, 1.4826 * 0.01, 1e-9);  // deviations 0, 0, .01, .01, .02, .02
  // Median 1.005: the deviations .005, .005, .015, .015, .025, .995 have the median .015.
  EXPECT_NEAR(s.robust_cv, 1.4826 * 0.015 / 1.005, 1e-9);
  EXPECT_LT(s.robust_cv, 1.5 * q.robust_cv);
}

TEST(stats_describe, one_value_has_no_spread) {
  const std::vector<double> x{3.5};
  const auto s = describe(x);
  EXPECT_DOUBLE_EQ(s.median, 3.5);
  EXPECT_TRUE(std::isnan(s.cv));
  EXPECT_TRUE(std::isnan(s.robust_cv));
  EXPECT_TRUE(s.median_ci.below_level);
  EXPECT_THROW(describe(std::vector<double>{}), std::invalid_argument);
}

// --- ratios -----------------------------------------------------------------------------------

TEST(stats_paired_ratio, median_of_round_ratios_and_its_order_statistics) {
  // Both sides drift together from round to round; the ratios stay near 1.5.
  const std::vector<double> a{15.0, 30.6, 45.3, 60.0, 74.4, 90.9, 104.3, 121.6, 134.1, 150.0};
  const std::vector<double> b{10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
  // ratios: 1.50 1.53 1.51 1.50 1.488 1.515 1.49 1.52 1.49 1.50
  // sorted: 1.488 1.49 1.49 1.50 1.50 1.50 1.51 1.515 1.52 1.53
  const auto r = paired_ratio(a, b);
  EXPECT_NEAR(r.estimate, 1.50, 1e-12);
  EXPECT_NEAR(r.ci.lo, 1.49, 1e-12);  // x_(2)
  EXPECT_NEAR(r.ci.hi, 1.52, 1e-12);  // x_(9)
  EXPECT_DOUBLE_EQ(r.ci.coverage, 0.978515625);
  EXPECT_FALSE(no_difference_resolved(r.ci));
  EXPECT_THROW(paired_ratio(a, std::vector<double>{1, 2}), std::invalid_argument);
}

TEST(stats_paired_ratio, ratios_around_one_resolve_nothing) {
  const std::vector<double> a{10.1, 9.8, 10.3, 9.9, 10.0, 10.2, 9.7, 10.1};
  const std::vector<double> b{10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0};
  EXPECT_TRUE(no_difference_resolved(paired_ratio(a, b).ci));
}

// Twenty values around `center`, in steps of 0.2 % from -1.9 % to +1.9 %, shuffled (i * 7 mod 20
// visits every step once); the median is `center`.
std::vector<double> around(double center) {
  std::vector<double> v;
  for (int i = 0; i < 20; ++i) v.push_back(center * (1 + 0.002 * ((i * 7) % 20 - 9.5)));
  return v;
}

TEST(stats_bootstrap_ratio, contains_the_true_ratio_of_a_clear_case) {
  const auto a = around(20.0), b = around(10.0);
  const auto r = bootstrap_ratio(a, b);
  EXPECT_NEAR(r.estimate, 2.0, 1e-12);
  EXPECT_TRUE(r.ci.contains(2.0));
  EXPECT_GT(r.ci.lo, 1.95);  // the spread is +-1.9 % on each side: the interval is tight
  EXPECT_LT(r.ci.hi, 2.05);
  EXPECT_LT(r.ci.lo, r.ci.hi);
  EXPECT_DOUBLE_EQ(r.ci.coverage, 0.95);
  EXPECT_FALSE(r.ci.below_level);
  EXPECT_FALSE(no_difference_resolved(r.ci));
}

TEST(stats_bootstrap_ratio, deterministic_for_a_seed) {
  const std::vector<double> a{12.1, 11.4, 13.9, 12.7, 11.8, 12.2, 14.5};
  const std::vector<double> b{10.3, 10.9, 9.8, 11.6, 10.1, 10.4};
  const auto first = bootstrap_ratio(a, b, {.resamples = 2000, .seed = 42});
  const auto again = bootstrap_ratio(a, b, {.resamples = 2000, .seed = 42});
  EXPECT_EQ(first.ci.lo, again.ci.lo);
  EXPECT_EQ(first.ci.hi, again.ci.hi);
  EXPECT_DOUBLE_EQ(first.estimate, 12.2 / 10.35);
  // Pinned: a seed must replay the same interval on any machine and standard library (raw
  // mt19937_64 output, no std distribution). These are this implementation's values: resampled
  // medians 11.8 / 10.9 and 13.9 / 10.2.
  EXPECT_DOUBLE_EQ(first.ci.lo, 11.8 / 10.9);
  EXPECT_DOUBLE_EQ(first.ci.hi, 13.9 / 10.2);
}

TEST(stats_bootstrap_ratio, the_seed_matters) {
  // With few values the quantiles land on the same resampled medians for most seeds; with
  // twenty values each they move.
  const auto a = around(12.0), b = around(10.0);
  const auto first = bootstrap_ratio(a, b, {.seed = 42});
  const auto other = bootstrap_ratio(a, b, {.seed = 43});
  EXPECT_TRUE(other.ci.lo != first.ci.lo || other.ci.hi != first.ci.hi);
  EXPECT_EQ(first.estimate, other.estimate);
}

TEST(stats_bootstrap_ratio, small_samples_are_flagged) {
  const std::vector<double> a{2.0, 2.1, 1.9}, b{1.0, 1.1, 0.9, 1.05, 0.95, 1.0, 1.02};
  EXPECT_TRUE(bootstrap_ratio(a, b).ci.below_level);
  EXPECT_THROW(bootstrap_ratio(a, std::vector<double>{}), std::invalid_argument);
}

// --- Mann-Whitney U (references: scipy 1.10.1) ----------------------------------------------

void expect_u(const std::vector<double>& x, const std::vector<double>& y, double u, double p,
              bool exact) {
  const auto t = mann_whitney_u(x, y);
  EXPECT_DOUBLE_EQ(t.u, u);
  EXPECT_NEAR(t.p, p, 1e-12 + 1e-9 * p);
  EXPECT_EQ(t.exact, exact);
}

TEST(stats_mann_whitney_u, exact_small_samples) {
  // Completely separated 5 vs 5: 2 / C(10, 5) = 2/252.
  expect_u({10.2, 10.5, 10.1, 10.8, 10.4}, {10.9, 11.3, 10.7, 11.0, 11.6}, 1.0,
           0.015873015873015872, true);
  expect_u({3.1, 1.2, 5.6, 2.4}, {4.4, 0.9, 6.1, 3.3, 5.0}, 7.0, 0.5555555555555556, true);
  expect_u({1.0, 2.0, 3.0}, {4.0, 5.0, 6.5}, 0.0, 0.1, true);  // 3 vs 3 cannot go below 0.1
  expect_u({4.0, 5.0, 6.5}, {1.0, 2.0, 3.0}, 9.0, 0.1, true);  // u is the first sample's
}

TEST(stats_mann_whitney_u, exact_when_only_one_sample_is_small) {
  // scipy's 'auto' goes asymptotic only when BOTH samples exceed 8 (or there are ties): 3 vs 12
  // is exact (0.2945...; the normal approximation would say 0.2790...).
  expect_u({5.5, 7.25, 9.0}, {1.0, 2.0, 3.0, 4.0, 4.5, 5.0, 6.0, 6.5, 7.0, 8.0, 8.5, 9.5}, 26.0,
           0.29450549450549457, true);
}

TEST(stats_mann_whitney_u, ties_use_the_corrected_normal_approximation) {
  expect_u({1, 2, 2, 3, 3, 3, 4}, {3, 4, 4, 5, 5, 6}, 3.5, 0.012999854364387305, false);
  expect_u({2.0, 2.0, 2.0}, {2.0, 2.0}, 3.0, 1.0, false);  // all equal: nothing to test
}

TEST(stats_mann_whitney_u, large_samples_use_the_normal_approximation) {
  expect_u({1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30, 2.01},
           {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29, 0.75}, 74.0,
           0.07544160545694574, false);
}

// --- compare ----------------------------------------------------------------------------------

const std::vector<double> base{100.0, 100.4, 99.7, 100.2, 99.9, 100.1, 99.8, 100.3, 100.6};

TEST(stats_compare, identical_samples_are_no_change) {
  const auto c = compare(base, base);
  EXPECT_EQ(c.outcome, verdict::no_change_resolved);
  EXPECT_DOUBLE_EQ(c.new_over_base.estimate, 1.0);
  EXPECT_TRUE(c.new_over_base.ci.contains(1.0));
  EXPECT_DOUBLE_EQ(c.test.p, 1.0);  // scipy: U 40.5, p 1.0
  EXPECT_FALSE(c.beyond_threshold);
  EXPECT_STREQ(to_string(c.outcome), "no change resolved");
}

TEST(stats_compare, ten_percent_slower_with_low_noise_is_resolved) {
  const std::vector<double> slower{110.2,  110.14, 109.77, 110.12, 110.19,
                                   109.91, 109.78, 110.48, 110.61};
  const auto c = compare(base, slower);
  EXPECT_EQ(c.outcome, verdict::slower);
  EXPECT_NEAR(c.new_over_base.estimate, 110.14 / 100.1, 1e-12);
  EXPECT_GT(c.new_over_base.ci.lo, 1.05);
  EXPECT_LT(c.new_over_base.ci.hi, 1.15);
  EXPECT_DOUBLE_EQ(c.test.u, 0.0);                       // scipy: U 0.0
  EXPECT_NEAR(c.test.p, 0.00041229480206169127, 1e-15);  // scipy (normal approximation)
  EXPECT_TRUE(c.beyond_threshold);
  EXPECT_STREQ(to_string(c.outcome), "slower");
}

TEST(stats_compare, three_percent_faster_is_resolved_but_within_the_threshold) {
  const std::vector<double> faster{97.2,   97.088, 96.809, 97.094, 97.203,
                                   96.897, 96.806, 97.441, 97.532};
  const auto c = compare(base, faster);
  EXPECT_EQ(c.outcome, verdict::faster);
  EXPECT_NEAR(c.test.p, 0.00041229480206169127, 1e-15);  // scipy: U 81.0
  EXPECT_FALSE(c.beyond_threshold);                      // 3 % < the 5 % noise floor
  EXPECT_TRUE(compare(base, faster, {.threshold = 0.02}).beyond_threshold);
}

TEST(stats_compare, noisy_overlapping_samples_resolve_nothing) {
  const std::vector<double> noisy_base{100, 130, 90, 115, 85, 120, 95, 110, 105};
  const std::vector<double> noisy_new{104, 125, 88, 118, 92, 136, 97, 108, 112};
  const auto c = compare(noisy_base, noisy_new);
  EXPECT_EQ(c.outcome, verdict::no_change_resolved);
  EXPECT_NEAR(c.test.p, 0.7239320396139757, 1e-12);  // scipy: U 36.0
  EXPECT_TRUE(c.new_over_base.ci.contains(1.0));
  EXPECT_FALSE(c.beyond_threshold);
}

TEST(stats_compare, a_significant_test_alone_is_not_enough) {
  // 3 vs 3, fully separated by 10 %: the interval excludes 1 but the U test cannot go below
  // p = 0.1 with so few values, so the change stays unresolved.
  const std::vector<double> b3{100.0, 100.5, 99.5}, n3{110.0, 110.5, 109.5};
  const auto c = compare(b3, n3);
  EXPECT_DOUBLE_EQ(c.test.p, 0.1);
  EXPECT_FALSE(c.new_over_base.ci.contains(1.0));
  EXPECT_EQ(c.outcome, verdict::no_change_resolved);
  EXPECT_TRUE(c.beyond_threshold);  // reported separately: large, but not resolved
}

// --- precise_enough ---------------------------------------------------------------------------

TEST(stats_precise_enough, needs_the_minimum_number_of_runs) {
  EXPECT_FALSE(precise_enough(std::vector<double>{}));
  EXPECT_FALSE(precise_enough(std::vector<double>{1.0, 1.0, 1.0, 1.0}));
  EXPECT_TRUE(precise_enough(std::vector<double>{1.0, 1.01, 0.99, 1.005, 0.995}));
  EXPECT_TRUE(precise_enough(std::vector<double>{1.0, 1.0, 1.0}, 0.02, 3));
}

TEST(stats_precise_enough, the_wider_side_of_the_interval_counts) {
  // Five runs: the interval is [min, max]; 1.03 is 3 % above the median.
  EXPECT_FALSE(precise_enough(std::vector<double>{1.0, 1.03, 0.99, 1.005, 0.995}));
  EXPECT_TRUE(precise_enough(std::vector<double>{1.0, 1.03, 0.99, 1.005, 0.995}, 0.031));
  EXPECT_FALSE(precise_enough(std::vector<double>{1.0, 1.01, 0.97, 1.005, 0.995}));
}

TEST(stats_precise_enough, outliers_beyond_the_order_statistics_do_not_count) {
  // Twenty runs: the interval is [x_(6), x_(15)], so a wild run at each end does not matter.
  auto times = around(1.0);  // +-1.9 %
  times[0] = 1.5;
  times[1] = 0.6;
  EXPECT_TRUE(precise_enough(times));
  EXPECT_FALSE(precise_enough(times, 0.005));
}

}  // namespace
}  // namespace concur::stats
