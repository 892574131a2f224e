#include "report/fit.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace concur::stats {
namespace {

void require(bool condition, const char* what) {
  if (!condition) throw std::invalid_argument(std::string("concur::stats::fit_growth: ") + what);
}

double ln_ratio_slope(double x0, double y0, double x1, double y1) {
  return std::log(y1 / y0) / std::log(x1 / x0);
}

// The rungs sorted by size, checked.
std::vector<rung_sample> checked(std::span<const rung_sample> rungs) {
  require(rungs.size() >= 2, "fewer than two rungs");
  std::vector<rung_sample> out(rungs.begin(), rungs.end());
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.size < b.size; });
  for (std::size_t i = 0; i < out.size(); ++i) {
    require(out[i].size > 0, "a size that is not positive");
    require(i == 0 || out[i].size > out[i - 1].size, "two rungs of the same size");
    require(!out[i].values.empty(), "a rung without values");
    require(std::all_of(out[i].values.begin(), out[i].values.end(), [](double v) { return v > 0; }),
            "a value that is not positive");
  }
  return out;
}

// The fitted slope and the marginal slopes of one set of medians.
struct slopes {
  double fit = 0;
  std::vector<double> marginal;
};

slopes slopes_of(std::span<const double> sizes, std::span<const double> medians) {
  slopes s{log_log_slope(sizes, medians), {}};
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i)
    s.marginal.push_back(ln_ratio_slope(sizes[i], medians[i], sizes[i + 1], medians[i + 1]));
  return s;
}

}  // namespace

double log_log_slope(std::span<const double> x, std::span<const double> y) {
  require(x.size() == y.size() && x.size() >= 2, "log_log_slope needs two or more points");
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    require(x[i] > 0 && y[i] > 0, "log_log_slope of a value that is not positive");
    mx += std::log(x[i]);
    my += std::log(y[i]);
  }
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(x.size());
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double dx = std::log(x[i]) - mx;
    sxy += dx * (std::log(y[i]) - my);
    sxx += dx * dx;
  }
  require(sxx > 0, "log_log_slope needs two distinct sizes");
  return sxy / sxx;
}

growth_fit fit_growth(std::span<const rung_sample> input, const growth_options& options) {
  const auto rungs = checked(input);
  std::vector<double> sizes, medians;
  std::vector<std::vector<double>> samples;
  std::size_t fewest = rungs.front().values.size();
  for (const auto& r : rungs) {
    sizes.push_back(r.size);
    medians.push_back(describe(r.values).median);
    samples.push_back(r.values);
    fewest = std::min(fewest, r.values.size());
  }
  const slopes point = slopes_of(sizes, medians);

  std::vector<double> fit_replicates;
  std::vector<std::vector<double>> marginal_replicates(point.marginal.size());
  resample_medians(samples, options.bootstrap, [&](std::span<const double> resampled) {
    const slopes s = slopes_of(sizes, resampled);
    fit_replicates.push_back(s.fit);
    for (std::size_t i = 0; i < s.marginal.size(); ++i)
      marginal_replicates[i].push_back(s.marginal[i]);
  });
  // As bootstrap_ratio: with five values or fewer a resampled median takes a handful of values.
  const bool short_sample = median_ranks(fewest, options.bootstrap.level).below_level;
  const auto ci = [&](std::vector<double> replicates) {
    auto i = percentile_interval(std::move(replicates), options.bootstrap.level);
    i.below_level = short_sample;
    return i;
  };

  growth_fit out;
  out.slope = point.fit;
  double mean_lx = 0, mean_ly = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    mean_lx += std::log(sizes[i]) / static_cast<double>(sizes.size());
    mean_ly += std::log(medians[i]) / static_cast<double>(sizes.size());
  }
  out.intercept = mean_ly - out.slope * mean_lx;
  out.slope_ci = ci(std::move(fit_replicates));
  for (std::size_t i = 0; i < point.marginal.size(); ++i) {
    out.segments.push_back(
        {sizes[i], sizes[i + 1], point.marginal[i], ci(std::move(marginal_replicates[i]))});
    const auto& s = out.segments.back();
    if (!out.bend && s.slope > options.bend_slope && s.ci.lo > 1) out.bend = i;
  }
  return out;
}

}  // namespace concur::stats
