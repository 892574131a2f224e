#include "report/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace concur::stats {
namespace {

void require(bool condition, const char* what) {
  if (!condition) throw std::invalid_argument(std::string("concur::stats: ") + what);
}

void require_level(double level) {
  require(level > 0 && level < 1, "level must be in (0, 1)");
}

// Median of a sorted, non-empty sample.
double median_of_sorted(std::span<const double> sorted) {
  const auto n = sorted.size();
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

// Median of a scratch buffer, reordered in place: nth_element, not a full sort, since the
// bootstrap takes tens of thousands of them.
double median_in_place(std::vector<double>& v) {
  const auto n = v.size();
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (n % 2) return *mid;
  return (*std::max_element(v.begin(), mid) + *mid) / 2;
}

std::vector<double> sorted_copy(std::span<const double> sample) {
  std::vector<double> v(sample.begin(), sample.end());
  std::sort(v.begin(), v.end());
  return v;
}

// Quantile q of a sorted sample, interpolated linearly between order statistics (numpy's default,
// R's type 7), so that the bootstrap interval does not jump with the number of resamples.
double quantile_of_sorted(std::span<const double> sorted, double q) {
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(h));
  if (below + 1 >= sorted.size()) return sorted.back();
  return sorted[below] + (h - static_cast<double>(below)) * (sorted[below + 1] - sorted[below]);
}

// A uniform index in [0, n) from the raw generator. std::uniform_int_distribution would be
// implementation-defined, so the same seed could give other intervals on another standard library;
// the modulo's bias (at most n / 2^64) is far below anything a bootstrap can see.
std::size_t uniform_index(std::mt19937_64& rng, std::size_t n) {
  return static_cast<std::size_t>(rng() % n);
}

double resampled_median(std::span<const double> sample, std::mt19937_64& rng,
                        std::vector<double>& scratch) {
  scratch.resize(sample.size());
  for (auto& x : scratch) x = sample[uniform_index(rng, sample.size())];
  return median_in_place(scratch);
}

// Counts of the Mann-Whitney U statistic over all C(m + n, m) arrangements of two samples of sizes
// m and n without ties: counts[u] arrangements have U == u. Built from the recursion on the largest
// element: f(m, n, u) = f(m, n - 1, u) + f(m - 1, n, u - n) (it belongs to the second sample and
// beats nobody, or to the first and beats all n). Time O(m^2 n^2) with m the smaller size; scipy
// only goes exact when one sample has at most 8 values, so this stays small for any repetitions
// count we run. Doubles hold the counts exactly up to 2^53 and closely beyond.
std::vector<double> u_counts(std::size_t m, std::size_t n) {
  if (m > n) std::swap(m, n);
  std::vector<std::vector<double>> f(m + 1, std::vector<double>(m * n + 1, 0.0));
  for (auto& row : f) row[0] = 1;  // n == 0: U is 0 whatever m is
  for (std::size_t j = 1; j <= n; ++j)
    for (std::size_t i = 1; i <= m; ++i)  // row i - 1 already holds f(i - 1, j, .)
      for (std::size_t u = i * j; u >= j; --u) f[i][u] += f[i - 1][u - j];
  return f[m];
}

// P(U >= u) under the null hypothesis, exactly.
double u_exact_sf(std::size_t u, std::size_t m, std::size_t n) {
  const auto counts = u_counts(m, n);
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  if (u >= counts.size()) return 0;
  return std::accumulate(counts.begin() + static_cast<std::ptrdiff_t>(u), counts.end(), 0.0) /
         total;
}

// Standard normal survival function.
double normal_sf(double z) {
  return 0.5 * std::erfc(z / std::sqrt(2.0));
}

}  // namespace

rank_interval median_ranks(std::size_t n, double level) {
  require(n > 0, "median_ranks of an empty sample");
  require_level(level);
  // Binomial(n, 1/2) probabilities in log space (0.5^n underflows past n = 1074), built term by
  // term rather than with lgamma, which writes the global signgam (a data race under TSan).
  const double log_half_n = -static_cast<double>(n) * std::log(2.0);
  double log_pmf = log_half_n;  // P(B = 0)
  double below = 0;             // P(B <= k - 1)
  rank_interval best{1, n, 0, true};
  for (std::size_t k = 1; k <= n + 1 - k; ++k) {
    below += std::exp(log_pmf);  // now P(B <= k - 1)
    log_pmf += std::log(static_cast<double>(n - (k - 1)) / static_cast<double>(k));
    // [x_(k), x_(n + 1 - k)] misses the median when at most k - 1 values lie below it, or above.
    const double coverage = std::clamp(1 - 2 * below, 0.0, 1.0);
    if (k == 1) best.coverage = coverage;
    if (coverage < level) break;  // coverage only falls as the pair narrows
    best = {k, n + 1 - k, coverage, false};
  }
  return best;
}

summary describe(std::span<const double> sample, double level) {
  require(!sample.empty(), "describe of an empty sample");
  const auto sorted = sorted_copy(sample);
  const auto n = sorted.size();
  summary s;
  s.n = n;
  s.median = median_of_sorted(sorted);
  s.min = sorted.front();
  s.max = sorted.back();
  s.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(n);
  double squares = 0;
  for (double x : sorted) squares += (x - s.mean) * (x - s.mean);
  // The sample (n - 1) standard deviation: one value says nothing about the spread.
  s.cv = n > 1 ? std::sqrt(squares / static_cast<double>(n - 1)) / s.mean
               : std::numeric_limits<double>::quiet_NaN();
  std::vector<double> deviations(n);
  std::transform(sorted.begin(), sorted.end(), deviations.begin(),
                 [&](double x) { return std::abs(x - s.median); });
  std::sort(deviations.begin(), deviations.end());
  // 1.4826 = 1 / Phi^-1(3/4): the MAD of normal data is 0.6745 standard deviations.
  s.robust_cv = n > 1 ? 1.4826 * median_of_sorted(deviations) / s.median
                      : std::numeric_limits<double>::quiet_NaN();
  s.ranks = median_ranks(n, level);
  s.median_ci = {sorted[s.ranks.lower - 1], sorted[s.ranks.upper - 1], s.ranks.coverage,
                 s.ranks.below_level};
  return s;
}

ratio paired_ratio(std::span<const double> a, std::span<const double> b, double level) {
  require(a.size() == b.size(), "paired_ratio of samples of different sizes");
  require(!a.empty(), "paired_ratio of empty samples");
  std::vector<double> ratios(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) ratios[i] = a[i] / b[i];
  const auto s = describe(ratios, level);
  return {s.median, s.median_ci};
}

ratio bootstrap_ratio(std::span<const double> a, std::span<const double> b,
                      const bootstrap_options& options) {
  require(!a.empty() && !b.empty(), "bootstrap_ratio of an empty sample");
  require(options.resamples > 0, "bootstrap_ratio needs at least one resample");
  require_level(options.level);
  std::mt19937_64 rng(options.seed);
  std::vector<double> ratios(options.resamples), scratch;
  for (auto& r : ratios) {
    const double top = resampled_median(a, rng, scratch);  // a first, then b: part of the seed's
    r = top / resampled_median(b, rng, scratch);           // meaning, keep the order
  }
  std::sort(ratios.begin(), ratios.end());
  const double tail = (1 - options.level) / 2;
  const auto sa = sorted_copy(a), sb = sorted_copy(b);
  ratio out;
  out.estimate = median_of_sorted(sa) / median_of_sorted(sb);
  out.ci = {quantile_of_sorted(ratios, tail), quantile_of_sorted(ratios, 1 - tail), options.level,
            median_ranks(std::min(a.size(), b.size()), options.level).below_level};
  return out;
}

namespace {

double stratum_ratio(std::span<const double> a, std::span<const double> b) {
  std::vector<double> x(a.begin(), a.end()), y(b.begin(), b.end());
  return median_in_place(x) / median_in_place(y);
}

// One resample of a stratum's ratio of medians: rounds drawn as pairs (both sides of a drawn
// round together, so drift common to a round moves both medians), or each side on its own.
double resampled_stratum_ratio(const ratio_stratum& s, std::mt19937_64& rng,
                               std::vector<double>& scratch) {
  if (!s.paired) {
    const double top = resampled_median(s.a, rng, scratch);
    return top / resampled_median(s.b, rng, scratch);
  }
  std::vector<double> top(s.a.size());
  scratch.resize(s.a.size());
  for (std::size_t k = 0; k < top.size(); ++k) {
    const std::size_t i = uniform_index(rng, s.a.size());
    top[k] = s.a[i];
    scratch[k] = s.b[i];
  }
  return median_in_place(top) / median_in_place(scratch);
}

}  // namespace

ratio bootstrap_geometric_mean(std::span<const ratio_stratum> strata,
                               const bootstrap_options& options) {
  require(!strata.empty(), "bootstrap_geometric_mean of no strata");
  require(options.resamples > 0, "bootstrap_geometric_mean needs at least one resample");
  require_level(options.level);
  bool below_level = false;
  double log_sum = 0;
  for (const auto& s : strata) {
    require(!s.a.empty() && !s.b.empty(), "bootstrap_geometric_mean of an empty stratum");
    require(!s.paired || s.a.size() == s.b.size(), "a paired stratum of different sizes");
    log_sum += std::log(stratum_ratio(s.a, s.b));
    below_level |= median_ranks(std::min(s.a.size(), s.b.size()), options.level).below_level;
  }
  const auto k = static_cast<double>(strata.size());
  std::mt19937_64 rng(options.seed);
  std::vector<double> means(options.resamples), scratch;
  for (auto& m : means) {
    double sum = 0;
    for (const auto& s : strata) sum += std::log(resampled_stratum_ratio(s, rng, scratch));
    m = std::exp(sum / k);
  }
  interval ci = percentile_interval(std::move(means), options.level);
  ci.below_level = below_level;
  return {std::exp(log_sum / k), ci};
}

void resample_medians(std::span<const std::vector<double>> samples,
                      const bootstrap_options& options,
                      const std::function<void(std::span<const double> medians)>& use) {
  require(options.resamples > 0, "resample_medians needs at least one resample");
  for (const auto& s : samples) require(!s.empty(), "resample_medians of an empty sample");
  std::mt19937_64 rng(options.seed);
  std::vector<double> medians(samples.size()), scratch;
  for (std::size_t r = 0; r < options.resamples; ++r) {
    for (std::size_t i = 0; i < samples.size(); ++i)
      medians[i] = resampled_median(samples[i], rng, scratch);
    use(medians);
  }
}

interval percentile_interval(std::vector<double> replicates, double level) {
  require(!replicates.empty(), "percentile_interval of no replicates");
  require_level(level);
  std::sort(replicates.begin(), replicates.end());
  const double tail = (1 - level) / 2;
  return {quantile_of_sorted(replicates, tail), quantile_of_sorted(replicates, 1 - tail), level,
          false};
}

u_test mann_whitney_u(std::span<const double> x, std::span<const double> y) {
  require(!x.empty() && !y.empty(), "mann_whitney_u of an empty sample");
  const auto n1 = x.size(), n2 = y.size(), n = n1 + n2;
  // Rank the pooled sample, ties sharing their average rank (scipy's rankdata 'average').
  std::vector<std::pair<double, bool>> pooled;  // value, from x
  pooled.reserve(n);
  for (double v : x) pooled.emplace_back(v, true);
  for (double v : y) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end());
  double rank_sum_x = 0, tie_term = 0;  // tie_term: sum of t^3 - t over groups of t equal values
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && pooled[j].first == pooled[i].first) ++j;
    const double t = static_cast<double>(j - i);
    const double average_rank = static_cast<double>(i + 1 + j) / 2;  // ranks i + 1 .. j
    for (std::size_t k = i; k < j; ++k)
      if (pooled[k].second) rank_sum_x += average_rank;
    tie_term += t * t * t - t;
    i = j;
  }
  const double d1 = static_cast<double>(n1), d2 = static_cast<double>(n2);
  u_test result;
  result.u = rank_sum_x - d1 * (d1 + 1) / 2;
  const double u = std::max(result.u, d1 * d2 - result.u);  // two-sided: the larger tail, twice
  // scipy's method='auto': exact unless both samples have more than 8 values or there are ties.
  result.exact = (n1 <= 8 || n2 <= 8) && tie_term == 0;
  if (result.exact) {
    result.p = 2 * u_exact_sf(static_cast<std::size_t>(std::llround(u)), n1, n2);
  } else {
    // Normal approximation with the tie-corrected variance and a continuity correction of 1/2
    // (u is the upper tail, so the correction always subtracts).
    const double dn = static_cast<double>(n);
    const double variance = d1 * d2 / 12 * ((dn + 1) - tie_term / (dn * (dn - 1)));
    if (variance <= 0) return {result.u, 1.0, false};  // every value equal: nothing to test
    result.p = 2 * normal_sf((u - d1 * d2 / 2 - 0.5) / std::sqrt(variance));
  }
  result.p = std::clamp(result.p, 0.0, 1.0);
  return result;
}

const char* to_string(verdict v) {
  switch (v) {
    case verdict::faster:
      return "faster";
    case verdict::slower:
      return "slower";
    case verdict::no_change_resolved:
      return "no change resolved";
  }
  return "no change resolved";
}

change compare(std::span<const double> base, std::span<const double> candidate,
               const compare_options& options) {
  change c;
  c.new_over_base = bootstrap_ratio(candidate, base, options.bootstrap);
  c.test = mann_whitney_u(base, candidate);  // the order of compare.py: base first
  const auto& ci = c.new_over_base.ci;
  if (c.test.p < options.alpha && !ci.contains(1.0))
    c.outcome = ci.lo > 1 ? verdict::slower : verdict::faster;
  c.beyond_threshold = ci.lo > 1 + options.threshold || ci.hi < 1 - options.threshold;
  return c;
}

bool precise_enough(std::span<const double> times, double rel_half_width, std::size_t min_runs,
                    double level) {
  if (times.empty() || times.size() < min_runs) return false;
  const auto s = describe(times, level);
  const double half_width = std::max(s.median - s.median_ci.lo, s.median_ci.hi - s.median);
  return half_width <= rel_half_width * s.median;
}

}  // namespace concur::stats
