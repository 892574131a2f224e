// Which figures a workload gets and their numbers: the categorical cases as one bar chart, each
// size ladder (two rungs or more on one axis) as a time and a memory plot.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>

#include "report/report_plot.hpp"

namespace concur::report::detail {
namespace {

// The case's rung, from the first of its rows that carries one (a skipped run does too, from
// concur-bench of late; older files only on timed rows, or none at all).
std::optional<std::pair<std::string, double>> rung_of(const workload_cells& w,
                                                      const std::string& case_name) {
  for (const auto& m : w.models)
    if (const summary* s = w.find(m, case_name))
      for (const row* r : s->reps)
        if (!r->ladder.empty() && r->ladder_size) return std::pair{r->ladder, *r->ladder_size};
  return std::nullopt;
}

bool has_time(const workload_cells& w, const std::string& case_name) {
  return std::any_of(w.models.begin(), w.models.end(), [&](const std::string& m) {
    const summary* s = w.find(m, case_name);
    return s && s->time_stats();
  });
}

// A file name's part: letters and digits kept (lowercased), any run of others one '-'.
std::string slug(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c))
      out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "plot" : out;
}

struct ladder {
  std::string axis;
  std::vector<std::pair<double, std::string>> rungs;  // (size, case), timed or not
  std::vector<bool> timed;                            // parallel to rungs
};

// The cases' ladders, in the order their axes first appear, each by size.
std::vector<ladder> ladders_of(const workload_cells& w) {
  std::vector<ladder> out;
  for (const auto& c : w.cases) {
    const auto rung = rung_of(w, c);
    if (!rung) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](auto& l) { return l.axis == rung->first; });
    if (it == out.end()) it = out.insert(out.end(), ladder{rung->first, {}, {}});
    it->rungs.emplace_back(rung->second, c);
  }
  for (auto& l : out) {
    std::stable_sort(l.rungs.begin(), l.rungs.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [size, c] : l.rungs) l.timed.push_back(has_time(w, c));
  }
  return out;
}

// Two timed rungs of different sizes at least: a line, not a point.
bool is_line(const ladder& l) {
  std::optional<double> first;
  for (std::size_t i = 0; i < l.rungs.size(); ++i) {
    if (!l.timed[i]) continue;
    if (first && *first < l.rungs[i].first) return true;
    if (!first) first = l.rungs[i].first;
  }
  return false;
}

// The rungs a line plot shows: the timed ones and those between them, and one rung past each
// end, where the lines stop (its marks say why); further untimed rungs would only squeeze the
// lines into a corner.
std::vector<std::pair<double, std::string>> shown_rungs(const ladder& l) {
  const auto first = std::find(l.timed.begin(), l.timed.end(), true) - l.timed.begin();
  const auto last = l.timed.rend() - std::find(l.timed.rbegin(), l.timed.rend(), true) - 1;
  const auto from = std::max<std::ptrdiff_t>(first - 1, 0);
  const auto to = std::min<std::ptrdiff_t>(last + 1, std::ssize(l.rungs) - 1);
  return {l.rungs.begin() + from, l.rungs.begin() + to + 1};
}

// The first verdict other than a pass among a cell's runs; none for a cell that passed.
std::optional<std::string> failed_verdict(const workload_cells& w, const std::string& model,
                                          const std::string& case_name) {
  const summary* s = w.find(model, case_name);
  if (!s || s->passed()) return std::nullopt;
  return s->verdict();
}

std::optional<double> row::*field_of(figure_kind kind) {
  return kind == figure_kind::ladder_memory ? &row::bytes_per_item : &row::real_s;
}

}  // namespace

std::vector<figure> figures_of(const workload_cells& w) {
  if (std::none_of(w.cases.begin(), w.cases.end(),
                   [&](const std::string& c) { return has_time(w, c); }))
    return {};
  const auto ladders = ladders_of(w);
  std::set<std::string> on_a_line;
  for (const auto& l : ladders)
    if (is_line(l))
      for (const auto& [size, c] : l.rungs) on_a_line.insert(c);

  // Every case off the lines, timed or not: the summary counts a case no model completed too.
  // Bars of verdicts alone, without a time among them, would show no number: none drawn.
  std::vector<figure> out;
  figure bars{.kind = figure_kind::cases, .stem = slug(w.name)};
  bool any_time = false;
  for (const auto& c : w.cases)
    if (!on_a_line.contains(c)) {
      bars.cases.push_back(c);
      any_time = any_time || has_time(w, c);
    }
  if (any_time) out.push_back(bars);

  std::set<std::string> stems{bars.stem};
  for (const auto& l : ladders) {
    if (!is_line(l)) continue;
    figure time{.kind = figure_kind::ladder_time, .axis = l.axis};
    for (const auto& [size, c] : shown_rungs(l)) {
      time.sizes.push_back(size);
      time.cases.push_back(c);
    }
    // Two axes whose names differ only in punctuation still get a file each.
    time.stem = slug(w.name) + "-" + slug(l.axis);
    for (int i = 2; stems.contains(time.stem) || stems.contains(time.stem + "-memory"); ++i)
      time.stem = fmt::format("{}-{}-{}", slug(w.name), slug(l.axis), i);
    stems.insert(time.stem);
    out.push_back(time);
    figure memory = time;
    memory.kind = figure_kind::ladder_memory;
    memory.stem += "-memory";
    stems.insert(memory.stem);
    if (!data_of(w, memory).points.empty()) out.push_back(memory);
  }
  return out;
}

const estimate* figure_data::find(const std::string& model, const std::string& case_name) const {
  const auto it = points.find({model, case_name});
  return it == points.end() ? nullptr : &it->second;
}

bool figure_data::any_below_level() const {
  return std::any_of(points.begin(), points.end(), [](auto& p) { return p.second.below_level; });
}

std::pair<double, double> figure_data::range() const {
  double lo = 0, hi = 0;
  for (const auto& [key, e] : points) {
    const double low = e.lo > 0 ? e.lo : e.median;  // the median is positive
    lo = lo == 0 ? low : std::min(lo, low);
    hi = std::max(hi, e.hi);
  }
  return {lo, hi};
}

figure_data data_of(const workload_cells& w, const figure& f) {
  figure_data out;
  for (const auto& m : w.models) {
    bool any = false;
    for (const auto& c : f.cases) {
      const summary* s = w.find(m, c);
      if (!s) continue;
      const auto values = s->values_of(field_of(f.kind));
      if (values.empty()) continue;
      std::vector<double> v;
      for (const auto& [index, x] : values) v.push_back(x);
      const auto d = stats::describe(v);
      if (!(d.median > 0)) continue;  // no growth measured: nothing a log axis can show
      out.points[{m, c}] = {d.median, d.median_ci.lo, d.median_ci.hi, d.n, d.median_ci.below_level};
      any = true;
    }
    if (any) out.models.push_back(m);
  }
  return out;
}

std::string title_of(const workload_cells& w, const figure& f) {
  switch (f.kind) {
    case figure_kind::cases:
      return fmt::format("{}: median wall time per case, with its 95 % CI", w.name);
    case figure_kind::ladder_time:
      return fmt::format("{}: wall time against {} (median, 95 % CI band)", w.name, f.axis);
    case figure_kind::ladder_memory:
      return fmt::format("{}: peak memory growth per item against {} (median, 95 % CI band)",
                         w.name, f.axis);
  }
  return w.name;
}

std::vector<stop_mark> stop_marks(const workload_cells& w, const figure& f, const figure_data& d) {
  std::vector<stop_mark> out;
  for (const auto& m : d.models)
    for (std::size_t i = 0; i < f.cases.size(); ++i) {
      const auto verdict = failed_verdict(w, m, f.cases[i]);
      if (!verdict || d.find(m, f.cases[i])) continue;
      // The line's last point before the rung, else its first after it.
      const estimate* before = i > 0 ? d.find(m, f.cases[i - 1]) : nullptr;
      const estimate* after = i + 1 < f.cases.size() ? d.find(m, f.cases[i + 1]) : nullptr;
      if (const estimate* near = before ? before : after)
        out.push_back({m, f.cases[i], *verdict, f.sizes.empty() ? 0 : f.sizes[i], near->median});
    }
  return out;
}

std::vector<std::pair<std::string, std::string>> untimed_models(const workload_cells& w,
                                                                const figure& f,
                                                                const figure_data& d) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& m : w.models) {
    if (std::find(d.models.begin(), d.models.end(), m) != d.models.end()) continue;
    // A model that passed a case but has no point there grew by 0 B: no verdict to give.
    std::optional<std::string> first;
    bool passed = false;
    for (const auto& c : f.cases) {
      const auto verdict = failed_verdict(w, m, c);
      if (!first) first = verdict;
      passed = passed || (!verdict && w.find(m, c));
    }
    if (first && !passed) out.emplace_back(m, *first);
  }
  return out;
}

}  // namespace concur::report::detail
