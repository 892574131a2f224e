// Which figures a workload gets and their numbers: the categorical cases as one bar chart, each
// size ladder (two rungs or more on one axis) as a time and a memory plot.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "core/report_plot.hpp"

namespace concur::report::detail {
namespace {

// The case's rung, from the first of its rows that carries one (a cell that was not timed has
// none; older files have none at all).
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
  std::vector<std::pair<double, std::string>> rungs;  // (size, case)
};

// The timed cases' ladders, in the order their axes first appear.
std::vector<ladder> ladders_of(const workload_cells& w) {
  std::vector<ladder> out;
  for (const auto& c : w.cases) {
    const auto rung = has_time(w, c) ? rung_of(w, c) : std::nullopt;
    if (!rung) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](auto& l) { return l.axis == rung->first; });
    if (it == out.end()) it = out.insert(out.end(), ladder{rung->first, {}});
    it->rungs.emplace_back(rung->second, c);
  }
  for (auto& l : out)
    std::stable_sort(l.rungs.begin(), l.rungs.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// Two rungs of different sizes at least: a line, not a point.
bool is_line(const ladder& l) {
  return l.rungs.size() >= 2 && l.rungs.front().first < l.rungs.back().first;
}

std::optional<double> row::*field_of(figure_kind kind) {
  return kind == figure_kind::ladder_memory ? &row::bytes_per_item : &row::real_s;
}

}  // namespace

std::vector<figure> figures_of(const workload_cells& w) {
  const auto ladders = ladders_of(w);
  std::set<std::string> on_a_line;
  for (const auto& l : ladders)
    if (is_line(l))
      for (const auto& [size, c] : l.rungs) on_a_line.insert(c);

  std::vector<figure> out;
  figure bars{.kind = figure_kind::cases, .stem = slug(w.name)};
  for (const auto& c : w.cases)
    if (has_time(w, c) && !on_a_line.contains(c)) bars.cases.push_back(c);
  if (!bars.cases.empty()) out.push_back(bars);

  std::set<std::string> stems{bars.stem};
  for (const auto& l : ladders) {
    if (!is_line(l)) continue;
    figure time{.kind = figure_kind::ladder_time, .axis = l.axis};
    for (const auto& [size, c] : l.rungs) {
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

palette colours_of(const std::vector<workload_cells>& workloads) {
  // Tableau's ten: distinct in colour and in lightness.
  static constexpr const char* ten[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                        "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  palette out;
  for (const auto& w : workloads)
    for (const auto& m : w.models)
      if (!out.contains(m)) out[m] = ten[out.size() % std::size(ten)];
  return out;
}

}  // namespace concur::report::detail
