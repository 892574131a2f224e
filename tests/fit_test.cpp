// report/fit on synthetic ladders whose growth is known: exact power laws, noisy linear costs, a
// fixed part that hides the growth, and a cost that bends from linear to quadratic.
#include "report/fit.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace concur::stats {
namespace {

const std::vector<double> sizes{10, 100, 1'000, 10'000, 100'000, 1'000'000};

// Each rung `runs` times cost(size), each run off by a factor in [1 - noise, 1 + noise].
std::vector<rung_sample> ladder(double (*cost)(double), double noise = 0, int runs = 6) {
  std::mt19937_64 rng(42);
  std::vector<rung_sample> out;
  for (double n : sizes) {
    rung_sample r{n, {}};
    for (int i = 0; i < runs; ++i) {
      const double u = static_cast<double>(rng() >> 11) / 9007199254740992.0;  // [0, 1)
      r.values.push_back(cost(n) * (1 + noise * (2 * u - 1)));
    }
    out.push_back(r);
  }
  return out;
}

TEST(fit_log_log_slope, of_an_exact_power_law) {
  EXPECT_NEAR(log_log_slope(std::vector<double>{1, 10, 100}, std::vector<double>{2, 200, 20'000}),
              2.0, 1e-12);
  EXPECT_NEAR(log_log_slope(std::vector<double>{4, 16}, std::vector<double>{3, 3}), 0.0, 1e-12);
}

TEST(fit_growth, an_exact_power_law_has_its_exponent_and_a_point_interval) {
  const auto f = fit_growth(ladder([](double n) { return 3e-6 * std::pow(n, 0.5); }));
  EXPECT_NEAR(f.slope, 0.5, 1e-9);
  EXPECT_NEAR(std::exp(f.intercept), 3e-6, 1e-15);
  EXPECT_NEAR(f.slope_ci.lo, 0.5, 1e-9);
  EXPECT_NEAR(f.slope_ci.hi, 0.5, 1e-9);
  EXPECT_FALSE(f.slope_ci.below_level);  // six runs a rung reach 95 % (five would not)
  ASSERT_EQ(f.segments.size(), sizes.size() - 1);
  for (const auto& s : f.segments) EXPECT_NEAR(s.slope, 0.5, 1e-9);
  EXPECT_FALSE(f.bend);
}

TEST(fit_growth, a_noisy_linear_cost_is_about_1_and_its_interval_holds_1) {
  const auto f = fit_growth(ladder([](double n) { return 1e-6 * n; }, 0.10, 9));
  EXPECT_NEAR(f.slope, 1.0, 0.03);
  EXPECT_TRUE(f.slope_ci.contains(1.0)) << f.slope_ci.lo << " " << f.slope_ci.hi;
  EXPECT_LT(f.slope_ci.hi - f.slope_ci.lo, 0.1);
  EXPECT_GT(f.slope_ci.hi - f.slope_ci.lo, 0.0);  // the noise shows
  EXPECT_FALSE(f.bend);
}

TEST(fit_growth, a_fixed_part_flattens_the_slope_and_is_no_bend) {
  // Sleep's wall time: 100 ms every task waits, plus 1 µs a task.
  const auto f = fit_growth(ladder([](double n) { return 0.1 + 1e-6 * n; }, 0.02));
  EXPECT_LT(f.slope, 0.3);
  EXPECT_LT(f.segments.front().slope, 0.05);
  EXPECT_GT(f.segments.back().slope, 0.6);  // 0.2 s to 1.1 s
  EXPECT_FALSE(f.bend);
}

TEST(fit_growth, a_cost_that_turns_quadratic_bends_where_it_turns) {
  // Linear up to 10,000, then 10,000 times more for every tenfold (quadratic) beyond.
  const auto f = fit_growth(
      ladder([](double n) { return n <= 1e4 ? 1e-6 * n : 1e-2 * (n / 1e4) * (n / 1e4); }, 0.05, 7));
  ASSERT_TRUE(f.bend);
  EXPECT_EQ(f.segments[*f.bend].from, 10'000);
  EXPECT_EQ(f.segments[*f.bend].to, 100'000);
  EXPECT_NEAR(f.segments[*f.bend].slope, 2.0, 0.05);
  EXPECT_GT(f.segments[*f.bend].ci.lo, 1.0);
  EXPECT_GT(f.slope, 1.2);  // one line through both parts
}

TEST(fit_growth, a_steep_step_the_noise_cannot_resolve_is_no_bend) {
  // Medians 1 and 20 (marginal slope 1.30), but the rungs' spreads overlap a linear step.
  const std::vector<rung_sample> r{{10, {0.5, 1, 2}}, {100, {8, 20, 50}}};
  const auto f = fit_growth(r);
  EXPECT_NEAR(f.segments[0].slope, std::log10(20.0), 1e-12);
  EXPECT_LT(f.segments[0].ci.lo, 1.0);
  EXPECT_TRUE(f.slope_ci.below_level);  // three runs
  EXPECT_FALSE(f.bend);
  // The same step measured tightly is one.
  const std::vector<rung_sample> tight{{10, {0.99, 1, 1.01}}, {100, {19.9, 20, 20.1}}};
  EXPECT_TRUE(fit_growth(tight).bend);
}

TEST(fit_growth, is_deterministic_and_takes_the_rungs_in_any_order) {
  auto r = ladder([](double n) { return 1e-6 * n; }, 0.2);
  const auto a = fit_growth(r);
  std::swap(r.front(), r.back());
  const auto b = fit_growth(r);
  EXPECT_EQ(a.slope_ci.lo, b.slope_ci.lo);
  EXPECT_EQ(a.slope_ci.hi, b.slope_ci.hi);
  EXPECT_EQ(b.segments.front().from, 10);
}

TEST(fit_growth, rejects_what_cannot_be_fitted) {
  EXPECT_THROW(fit_growth(std::vector<rung_sample>{{10, {1}}}), std::invalid_argument);
  EXPECT_THROW(fit_growth(std::vector<rung_sample>{{10, {1}}, {10, {2}}}), std::invalid_argument);
  EXPECT_THROW(fit_growth(std::vector<rung_sample>{{10, {1}}, {100, {}}}), std::invalid_argument);
  EXPECT_THROW(fit_growth(std::vector<rung_sample>{{10, {1}}, {100, {0}}}), std::invalid_argument);
  EXPECT_THROW(fit_growth(std::vector<rung_sample>{{0, {1}}, {100, {2}}}), std::invalid_argument);
}

}  // namespace
}  // namespace concur::stats
