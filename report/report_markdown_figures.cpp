// report.md's numbers with their uncertainty: a median with its interval, a ratio that says when
// it resolves no difference, and the paragraph that says how all of them were computed.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/vocabulary.hpp"
#include "report/report_markdown.hpp"
#include "report/report_plot.hpp"

namespace concur::report::detail {
namespace {

// An interval short of 95 % (too few runs) says what it covers: [min, max] of 3 runs is 75 %.
// A bootstrap interval has no such figure, so it only gets the mark.
std::string shortfall(const stats::interval& ci, bool bootstrap) {
  if (!ci.below_level) return "";
  return bootstrap ? " †" : fmt::format(" †{:.3g} %", ci.coverage * 100);
}

// The values formatted at the least precision from `from` up to `to` at which an interval's ends
// (the first and the last value) read as they compare: different ends differently ("10.8 ms
// [10.8–10.8 ms]" hides the interval, "10.83 ms [10.80–10.85 ms]" shows it), and an end that is
// not `one` not as it ("[0.95–1.00]" would seem to contain 1 where the end is 0.996).
std::vector<std::string> apart(const std::vector<double>& values, int from, int to, auto format,
                               double one = std::nan("")) {
  std::vector<std::string> out;
  for (int precision = from; precision <= to; ++precision) {
    out.clear();
    for (double x : values) out.push_back(format(x, precision));
    const std::string one_text = format(one, precision);
    const auto reads_as_one = [&](std::size_t i) { return values[i] != one && out[i] == one_text; };
    const bool ends_apart = values.front() == values.back() || out.front() != out.back();
    if (ends_apart && !reads_as_one(0) && !reads_as_one(values.size() - 1)) break;
  }
  return out;
}

// Decimals for `significant` digits of x (at least none).
int decimals_for(double x, int significant) {
  if (!(x > 0) || !std::isfinite(x)) return significant - 1;
  return std::max(0, significant - 1 - static_cast<int>(std::floor(std::log10(x))));
}

// The median and both ends in the unit of the upper end: "0.99 [0.98–1.02 ms]".
std::string time_and_range(double median, double lo, double hi) {
  const auto [scale, unit] = hi >= 1      ? std::pair{1.0, "s"}
                             : hi >= 1e-3 ? std::pair{1e3, "ms"}
                             : hi >= 1e-6 ? std::pair{1e6, "µs"}
                                          : std::pair{1e9, "ns"};
  // Three significant digits of the upper end to start with, as decimals so that ends align.
  const int decimals = decimals_for(hi * scale, 3);
  const auto x = apart({lo, median, hi}, decimals, decimals + 3,
                       [scale](double v, int d) { return fmt::format("{:.{}f}", v * scale, d); });
  return fmt::format("{} {} [{}–{} {}]", x[1], unit, x[0], x[2], unit);
}

// A ratio and its interval with two decimals (two significant digits below 0.1), or more where
// that would hide the interval.
std::vector<std::string> ratio_numbers(double estimate, double lo, double hi) {
  const int decimals = hi >= 0.1 ? 2 : decimals_for(hi, 2);
  return apart(
      {lo, estimate, hi}, decimals, decimals + 3,
      [](double v, int d) { return fmt::format("{:.{}f}", v, d); }, 1.0);
}

std::string pairing_sentence(schedule how) {
  if (how == schedule::rounds)
    return "the cells ran in interleaved rounds (the repetition index is the round), so two "
           "cells of a case are paired over the rounds both ran in (every round of the one with "
           "fewer runs): the ratio is the median of the per-round ratios, with its "
           "order-statistic interval, and drift common to a round cancels";
  return "this run's repetitions ran back to back (each cell's together), not in interleaved "
         "rounds: two cells of a case are still paired by repetition index (the median of the "
         "per-index ratios, with its order-statistic interval), but such pairs did not run side "
         "by side, so the pairing cancels no drift, and back-to-back repetitions understate the "
         "spread between runs: read these intervals as too narrow";
}

// How concur-bench scheduled the rounds and why they stopped, as its context records it.
std::string rounds_paragraph(const results& r) {
  namespace ctx = vocabulary::context;
  const auto v = [&](std::string_view key) { return md_escape(r.value(key).value_or("?")); };
  std::string md = fmt::format(
      "Schedule: {}. Seed {} (`concur-bench --seed={}` replays the order), preset {}",
      v(ctx::rounds_rule), v(ctx::rounds_seed), v(ctx::rounds_seed), v(ctx::rounds_preset));
  if (r.value(ctx::rounds_done))
    md += fmt::format("; {} rounds, ended by: {}; cells stopped by: {}", v(ctx::rounds_done),
                      v(ctx::rounds_stopped_by), v(ctx::rounds_cell_stops));
  if (r.value(ctx::rounds_spent_by_workload_s))
    md += fmt::format("; seconds spent by workload (verification and warm-up included): {}",
                      v(ctx::rounds_spent_by_workload_s));
  md += ". Each cell's number of runs is its n";
  if (const auto min_time = r.value(ctx::rounds_min_time_s))
    md += fmt::format(
        "; a run repeats its cell for at least {} s{} (from the second round on, the fewest "
        "repeats that reach it at the first round's time), its figures the mean over them (peak "
        "memory growth: the largest)",
        md_escape(*min_time),
        r.value(ctx::rounds_min_time_longer)
            ? fmt::format(" ({})", md_escape(*r.value(ctx::rounds_min_time_longer)))
            : "");
  if (const auto warm = r.value(ctx::warm_up)) md += fmt::format(". Warm-up: {}", md_escape(*warm));
  return md + ".\n\n";
}

// What ⚠ means in this run: a fixed threshold, or one set by the machine's noise floor.
std::string noisy_mark(const results& r) {
  const double above = noisy_threshold(r);
  const auto floor = noise_floor_cv(r);
  if (!floor)
    return fmt::format("⚠ CV above {:.0f} %: the cell's runs disagree, its figures are noisy",
                       above * 100);
  return fmt::format(
      "⚠ CV above {:.1f} %, twice the machine's noise floor ({:.1f} %, the robust CV of a fixed "
      "loop of {} timed once per round) or {:.0f} %, whichever is larger: the cell varies more "
      "than the machine does",
      above * 100, *floor * 100,
      md_escape(r.value(vocabulary::context::noise_floor_loop).value_or("?")), noisy_cv * 100);
}

}  // namespace

std::string time_with_interval(const stats::summary& s) {
  if (s.n < 2) return fmt::format("{} (1 run: no interval)", human_time(s.median));
  return time_and_range(s.median, s.median_ci.lo, s.median_ci.hi) + shortfall(s.median_ci, false);
}

std::string ratio_with_interval(const ratio_estimate& r) {
  const auto& ci = r.value.ci;
  const auto x = ratio_numbers(r.value.estimate, ci.lo, ci.hi);
  if (!r.has_interval()) return fmt::format("{}× (1 run: no interval)", x[1]);
  const std::string range = fmt::format("[{}–{}]", x[0], x[2]);
  const std::string marks = (r.paired ? "" : "ᵇ") + shortfall(ci, !r.paired);
  if (!r.resolved()) return fmt::format("no difference resolved {}{}", range, marks);
  return fmt::format("{}× {}{}", x[1], range, marks);
}

std::string efficiency_with_interval(double ideal_s, const stats::summary& time) {
  if (time.n < 2) return fmt::format("{:.2f}", ideal_s / time.median);
  // A longer time is a lower efficiency: the ends swap.
  const auto x = ratio_numbers(ideal_s / time.median, ideal_s / time.median_ci.hi,
                               ideal_s / time.median_ci.lo);
  return fmt::format("{} [{}–{}]{}", x[1], x[0], x[2], shortfall(time.median_ci, false));
}

std::string cv_text(const stats::summary& s, double noisy_above) {
  if (s.n < 2 || !std::isfinite(s.cv)) return "–";
  return fmt::format("{:.1f} %{}", s.cv * 100, s.cv > noisy_above ? " ⚠" : "");
}

std::string plot_links(const workload_cells& w, const std::string& plot_dir) {
  const auto figures = figures_of(w);
  if (plot_dir.empty() || figures.empty()) return "";
  std::string md;
  bool short_interval = false;
  std::set<figure_kind> kinds;
  for (const auto& f : figures) {
    md += fmt::format("[![{0}]({1}/{2}.png)]({1}/{2}.svg)\n", md_escape(title_of(w, f)), plot_dir,
                      f.stem);
    short_interval = short_interval || data_of(w, f).any_below_level();
    kinds.insert(f.kind);
  }
  md += "\n*Each plot links to its SVG. Whiskers and bands: the median's 95 % confidence interval";
  if (short_interval) md += " (with fewer than 6 runs, [min–max], which covers less: see †)";
  md += ".";
  if (kinds.contains(figure_kind::cases))
    md += " A cell that was not timed has no bar: its verdict stands in its place.";
  if (kinds.contains(figure_kind::ladder_time))
    md += " A line stops where its model did not complete a rung (the table says why).";
  if (kinds.contains(figure_kind::ladder_memory))
    md +=
        " Memory: the peak RSS growth divided by the items; RSS grows by whole pages, so at the "
        "small rungs it is a page or none over few items, and a cell that grew by 0 B has no "
        "point.";
  return md + "*\n\n";
}

std::string methods(const results& r) {
  const schedule how = schedule_of(r);
  return fmt::format(
      "## How to read the figures\n\n"
      "Every timed cell was verified against its oracle before timing and again after. Per cell: "
      "the **median** wall time of its n runs with its **95 % confidence interval**, "
      "distribution-free, from order statistics (the sorted runs x₍k₎ and x₍n+1−k₎ for the "
      "largest k whose binomial coverage is still at least 95 %), the **CV** (standard "
      "deviation over mean) and the fastest run (**min**). A 95 % interval needs at least 6 "
      "runs: with fewer, the interval shown is [min–max] and † gives what it actually covers "
      "(75 % for 3 runs).\n\n"
      "Every ratio carries its own 95 % interval: *speed-up* (the sequential time over the "
      "model's), the external programs' time over the model's, and the model's client CPU per "
      "request over the program's. Pairing: {}. Otherwise (the indexes do not match up), the "
      "ratio of the medians with a percentile-bootstrap interval (10,000 resamples, fixed "
      "seed), marked ᵇ. Where a ratio's interval contains 1, the table says **no difference "
      "resolved** instead of naming a winner. *Efficiency* is the model's ideal time over its "
      "median time (1.0 = as fast as the model allows), its interval the time's, inverted.\n\n"
      "Marks: {}. † an "
      "interval short of 95 % (too few runs), with its actual coverage (a bootstrap interval: "
      "unknown). ᵇ unpaired (bootstrap).\n\n{}",
      pairing_sentence(how), noisy_mark(r), how == schedule::rounds ? rounds_paragraph(r) : "");
}

}  // namespace concur::report::detail
