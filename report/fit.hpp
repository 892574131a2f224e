#pragma once
// How a cost grows with the size of the work: a power law cost ∝ size^slope fitted on log-log
// axes, with a bootstrap interval of the slope, the marginal slopes between consecutive sizes and
// where the growth bends past linear. For the report's growth section (report_markdown_growth.cpp).
// Self-contained: the standard library and report/stats.hpp.
#include <optional>
#include <span>
#include <vector>

#include "report/stats.hpp"

namespace concur::stats {

// The repeated measurements of a cost at one size (a ladder's rung); all positive.
struct rung_sample {
  double size = 0;
  std::vector<double> values;
};

// The slope between two consecutive rungs, ln(m_to / m_from) / ln(to / from) of their medians.
struct segment {
  double from = 0, to = 0;
  double slope = 0;
  interval ci;
};

struct growth_options {
  bootstrap_options bootstrap{};
  // The growth bends past linear where a marginal slope exceeds this and its interval lies wholly
  // above 1 (superlinear beyond the noise).
  double bend_slope = 1.2;
};

struct growth_fit {
  // Least squares of ln(median) on ln(size): cost ≈ exp(intercept) * size^slope.
  double slope = 0, intercept = 0;
  interval slope_ci;                // percentile bootstrap; below_level as in bootstrap_ratio
  std::vector<segment> segments;    // between consecutive rungs, by size
  std::optional<std::size_t> bend;  // the first segment that meets the bend rule
};

// The least-squares slope of ln(y) on ln(x). At least two distinct x, all x and y positive.
double log_log_slope(std::span<const double> x, std::span<const double> y);

// The rungs (in any order; sizes distinct) fitted by their medians. The interval: each rung's
// values resampled with replacement on their own (rungs ran at different times, so there is no
// round to pair them by), the fit and the marginal slopes redone on the resampled medians, and
// the (1 - level) / 2 and (1 + level) / 2 quantiles taken. Deterministic for a given seed.
// Throws std::invalid_argument for fewer than two rungs, a repeated size, an empty rung or a
// value that is not positive.
growth_fit fit_growth(std::span<const rung_sample> rungs, const growth_options& options = {});

}  // namespace concur::stats
