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

namespace {

// A model's dark shade, and the light one of the course's Python cell beside it.
struct shade {
  std::string dark, light;
};

// Tableau 20's pairs, for the first models in the order.
const shade model_shades[] = {
    {"#4e79a7", "#a0cbe8"}, {"#f28e2b", "#ffbe7d"}, {"#e15759", "#ff9d9a"}, {"#499894", "#86bcb6"},
    {"#59a14f", "#8cd17d"}, {"#edc948", "#f1ce63"}, {"#b07aa1", "#d4a6c8"}};
// The other programs (find, fd, wrk) and names from elsewhere, in the order they appear.
constexpr const char* other_colours[] = {"#79706e", "#9d7660", "#d37295",
                                         "#bab0ac", "#d7b5a6", "#fabfd2"};

// A colour of hue h (degrees), saturation s and lightness l (0 to 1), as "#rrggbb".
std::string hsl_colour(double h, double s, double l) {
  const double a = s * std::min(l, 1 - l);
  const auto channel = [&](double n) {
    const double k = std::fmod(n + h / 30, 12);
    const double v = l - a * std::max(-1.0, std::min({k - 3, 9 - k, 1.0}));
    return static_cast<int>(std::lround(v * 255));
  };
  return fmt::format("#{:02x}{:02x}{:02x}", channel(0), channel(8), channel(4));
}

// The shade of the model at this place in the order: the table's, then hues around the wheel,
// each the golden angle on from the last so that neighbours in the order stay far apart.
shade model_shade(std::size_t place) {
  if (place < std::size(model_shades)) return model_shades[place];
  const double golden_angle = 137.508;
  const double hue =
      std::fmod(265 + golden_angle * static_cast<double>(place - std::size(model_shades)), 360.0);
  return {hsl_colour(hue, 0.5, 0.42), hsl_colour(hue, 0.7, 0.76)};
}

std::optional<std::size_t> place_of(const std::vector<std::string>& order, const std::string& m) {
  const auto it = std::find(order.begin(), order.end(), m);
  if (it == order.end()) return std::nullopt;
  return static_cast<std::size_t>(it - order.begin());
}

}  // namespace

palette colours_of(const std::vector<std::string>& model_order,
                   const std::vector<workload_cells>& workloads) {
  palette out;
  std::size_t others = 0;
  for (const auto& w : workloads)
    for (const auto& m : w.models) {
      if (out.contains(m)) continue;
      const auto pair = w.counterparts.find(m);
      if (const auto i = place_of(model_order, m)) {
        out[m] = model_shade(*i).dark;
      } else if (const auto j = pair == w.counterparts.end()
                                    ? std::nullopt
                                    : place_of(model_order, pair->second)) {
        out[m] = model_shade(*j).light;
      } else {
        out[m] = other_colours[others++ % std::size(other_colours)];
      }
    }
  return out;
}

}  // namespace concur::report::detail
