#include "report/report_merit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/vocabulary.hpp"
#include "report/report_summary.hpp"

namespace concur::report::detail {
namespace {

using merit::quantity;

// The items one run handled, from what Google Benchmark wrote: items/s over the run's time.
std::optional<double> items_of(const row& r) {
  if (!r.items_per_second || !r.real_s || *r.items_per_second <= 0) return std::nullopt;
  return *r.items_per_second * *r.real_s;
}

std::optional<double> metric_of(const row& r, const std::string& name) {
  for (const auto& [k, x] : r.metrics)
    if (k == name) return x;
  return std::nullopt;
}

// The figure of one run, whole (not per item); none when the run lacks it.
std::optional<double> raw_value(const row& r, const merit::figure& f) {
  switch (f.of) {
    case quantity::wall_time:
      return r.real_s;
    case quantity::cpu_time:
      return r.process_cpu_s;
    case quantity::peak_memory:
      return f.per_item ? r.bytes_per_item : r.peak_rss_growth_bytes;
    case quantity::metric:
      return metric_of(r, f.metric);
  }
  return std::nullopt;
}

// The peak RSS can fall between a run's baseline and its end (a separate process's, or freed
// memory returned): a negative growth is noise that says nothing of the work.
bool negative_memory(double x, const merit::figure& f) {
  return f.of == quantity::peak_memory && x < 0;
}

std::optional<double> value_of(const row& r, const merit::figure& f) {
  const auto v = raw_value(r, f);
  // Memory per item comes divided already (bytes_per_item).
  if (!v || !f.per_item || f.of == quantity::peak_memory) return v;
  const auto items = items_of(r);
  if (!items) return std::nullopt;
  return *v / *items;
}

// A metric's unit as a factor to seconds, for a time read as one; none for other units.
std::optional<double> seconds_per(std::string_view unit) {
  constexpr std::pair<std::string_view, double> units[] = {
      {"s", 1}, {"ms", 1e-3}, {"µs", 1e-6}, {"us", 1e-6}, {"ns", 1e-9}};
  for (const auto& [u, factor] : units)
    if (u == unit) return factor;
  return std::nullopt;
}

std::string per_item(const merit::figure& f, std::string_view item) {
  return f.per_item ? fmt::format(" per {}", item) : "";
}

// The value alone, in a readable unit.
std::string bare(double value, const merit::figure& f) {
  if (f.of == quantity::peak_memory) return human_bytes(value);
  if (f.of != quantity::metric) return human_time(value);
  if (const auto factor = seconds_per(f.unit)) return human_time(value * *factor);
  if (f.unit == "×") return fmt::format("{:#.3g}×", value);
  return f.unit.empty() ? fmt::format("{:.3g}", value) : fmt::format("{:.3g} {}", value, f.unit);
}

}  // namespace

merit::declaration merit_of(const results& r, const std::string& workload) {
  const auto text = r.value(std::string(vocabulary::context::merit_prefix) + workload);
  if (text)
    if (auto d = merit::parse(*text)) return *d;
  return {};
}

by_repetition figure_values(const summary& s, const merit::figure& f) {
  by_repetition v;
  for (const row* r : s.reps)
    if (is_pass(*r))
      if (const auto x = value_of(*r, f); x && !negative_memory(*x, f))
        v.emplace_back(r->repetition, *x);
  std::sort(v.begin(), v.end());
  return v;
}

std::string figure_text(double value, const merit::figure& f, std::string_view item) {
  return bare(value, f) + per_item(f, item);
}

std::string figure_value(double value, const merit::figure& f) {
  return bare(value, f);
}

std::string figure_with_interval(const stats::summary& s, const merit::figure& f,
                                 std::string_view item) {
  if (s.n < 2) return figure_text(s.median, f, item);
  std::string lo = bare(s.median_ci.lo, f);
  const std::string hi = bare(s.median_ci.hi, f);
  // "[49.5–50.5 ms]", "[0.950–1.05×]": the unit once when both ends have it.
  const auto unit = hi.substr(std::min(hi.find_first_not_of("0123456789.-+e"), hi.size()));
  if (!unit.empty() && lo.ends_with(unit)) lo.resize(lo.size() - unit.size());
  return fmt::format("{} [{}–{}]{}{}", bare(s.median, f), lo, hi,
                     s.median_ci.below_level ? " †" : "", item.empty() ? "" : per_item(f, item));
}

}  // namespace concur::report::detail
