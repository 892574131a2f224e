// The plots drawn: a gnuplot script per figure, its data inline, written into an owned temporary
// directory and run by gnuplot (a child process, no shell), which writes a PNG and an SVG.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "core/cleanup.hpp"
#include "core/process.hpp"
#include "report/report_plot.hpp"

namespace concur::report::detail {
namespace {

// Text as a gnuplot single-quoted string: a quote inside is written twice, a control character
// (which would end the line) as a space.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "''";
    else
      out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  return out + "'";
}

// The unit an axis shows its values in, chosen by the largest value.
struct unit {
  double per = 1;  // values are divided by this
  const char* name = "";
};

unit time_unit(double largest) {
  if (largest >= 1) return {1, "s"};
  if (largest >= 1e-3) return {1e-3, "ms"};
  if (largest >= 1e-6) return {1e-6, "µs"};
  return {1e-9, "ns"};
}

unit bytes_unit(double largest) {
  if (largest >= 1 << 30) return {1 << 30, "GiB"};
  if (largest >= 1 << 20) return {1 << 20, "MiB"};
  if (largest >= 1 << 10) return {1 << 10, "KiB"};
  return {1, "B"};
}

// A rung's size as a tic reads it: 300, 10k, 1M, 2.5M.
std::string size_text(double size) {
  if (size >= 1e6) return fmt::format("{:g}M", size / 1e6);
  if (size >= 1e3) return fmt::format("{:g}k", size / 1e3);
  return fmt::format("{:g}", size);
}

// Labelled tics for a log y axis from low to high: the decades, and 2 and 5 between them where
// the axis spans three decades or fewer (a decade or two would show one or two labels).
std::string log_tics(double low, double high) {
  const int first = static_cast<int>(std::floor(std::log10(low)));
  const int last = static_cast<int>(std::ceil(std::log10(high)));
  const std::vector<double> steps =
      last - first <= 3 ? std::vector<double>{1, 2, 5} : std::vector<double>{1};
  std::string tics;
  for (int k = first; k <= last; ++k)
    for (double step : steps)
      if (const double v = step * std::pow(10, k); low <= v && v <= high)
        tics += fmt::format("{}'{:g}' {:g}", tics.empty() ? "" : ", ", v, v);
  return "set ytics (" + tics + ")\n";
}

// The values span more than a decade: a linear axis would flatten the small ones.
bool needs_log(std::pair<double, double> range) {
  return range.first > 0 && range.second / range.first > 10;
}

std::string terminal_settings(const std::string& title) {
  return "set encoding utf8\n"
         "set border lw 1\nset grid ytics lc rgb '#d8d8d8' lw 1 dt solid\n"
         "set key outside right top vertical Left reverse noautotitle\n"
         "set tics nomirror\n" +
         fmt::format("set title {}\n", quoted(title));
}

// The figure drawn twice: the same plot command into the PNG and the SVG (whose points are
// smaller than cairo's: a larger size reads the same).
std::string both_outputs(const std::string& plot, const std::filesystem::path& base) {
  return fmt::format(
      "set terminal pngcairo size 1100,600 noenhanced font 'DejaVu Sans,11'\nset output {}\n{}\n"
      "set terminal svg size 1100,600 dynamic noenhanced font 'DejaVu Sans,14' "
      "background '#ffffff'\nset output {}\nreplot\nunset output\n",
      quoted(base.string() + ".png"), plot, quoted(base.string() + ".svg"));
}

// A data row: x, the median and the interval's ends in the axis's unit, a low end below the
// axis's floor (a memory growth of 0 B on a log axis) at the floor.
std::string data_row(double x, const estimate& e, const unit& u, double floor) {
  return fmt::format("{:g} {:.9g} {:.9g} {:.9g}\n", x, e.median / u.per,
                     std::max(e.lo / u.per, floor), e.hi / u.per);
}

// A whisker: a vector from the interval's low end to its high end, capped at both.
constexpr const char* whisker_heads = "heads size screen 0.006,90";

// Where bar j of a group of m bars sits, relative to its case's tic.
constexpr double group_width = 0.8;
double bar_offset(std::size_t j, std::size_t m) {
  return (static_cast<double>(j) - (static_cast<double>(m) - 1) / 2) * group_width /
         static_cast<double>(m);
}

// Whether the cases' names fit side by side under their groups (about 9 pixels a character, a
// plot area of about 800 pixels); else they are set at a slant.
bool labels_fit(const std::vector<std::string>& cases) {
  std::size_t longest = 0;
  for (const auto& c : cases) longest = std::max(longest, c.size());
  return longest * 9 + 10 < 800 / cases.size();
}

// A legend of its own beside a bar chart, at screen positions: per series a swatch that looks
// like its bar (fill, and the point drawn on it), for gnuplot's key can show a fill or a point
// but not both.
struct legend_entry {
  std::string text;
  series_style look;
};

// A series' point at (x, y) (a position gnuplot reads, e.g. "screen 0.8,0.9"): a filled point in
// the colour that reads on its bar's fill, a hollow one in the series' colour over its filled
// form in white, which lifts it off a hatched fill.
std::string point_label(const std::string& at, const series_style& look, double size) {
  if (look.pattern == 0)
    return fmt::format("set label '' at {} point pt {} ps {:g} lc rgb '{}' front\n", at, look.point,
                       size, contrast_colour(look.colour));
  return fmt::format(
      "set label '' at {0} point pt {1} ps {2:g} lc rgb '#ffffff' front\n"
      "set label '' at {0} point pt {3} ps {2:g} lw 1.5 lc rgb '{4}' front\n",
      at, filled_point(look.point), size, look.point, look.colour);
}

// A bar's fill and border.
std::string bar_fill(const series_style& look) {
  if (look.pattern == 0) return "fs solid 0.9 border lc rgb '#444444'";
  return fmt::format("fs pattern {} border lc rgb '{}'", look.pattern, look.colour);
}

constexpr double legend_left = 0.775;  // the plot's right edge is a little left of this
std::string bar_legend(const std::vector<legend_entry>& entries) {
  const double step =
      std::min(0.045, 0.8 / static_cast<double>(std::max<std::size_t>(entries.size(), 1)));
  std::string out = fmt::format("unset key\nset rmargin at screen {:g}\n", legend_left - 0.015);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& [text, look] = entries[i];
    const double y = 0.9 - step * static_cast<double>(i);
    out += fmt::format(
        "set object rect from screen {:g},{:g} to screen {:g},{:g} fc rgb '{}' {} front\n",
        legend_left, y - 0.013, legend_left + 0.03, y + 0.013, look.colour, bar_fill(look));
    out += point_label(fmt::format("screen {:g},{:g}", legend_left + 0.015, y), look, 1.0);
    out += fmt::format("set label {} at screen {:g},{:g} left front\n", quoted(text),
                       legend_left + 0.04, y);
  }
  return out;
}

// The categorical cases: a group of bars per case, a bar per model that has a time in the plot
// (from the axis's floor to the median), its point near the bar's foot, and a whisker over the
// interval. A cell without a time shows its verdict in its bar's place; a model without a time in
// any of the cases is in the legend with its verdict.
std::string bars_script(const workload_cells& w, const figure& f, const styles& looks,
                        const std::filesystem::path& base) {
  const auto d = data_of(w, f);
  const bool log = needs_log(d.range());
  const auto u = time_unit(d.range().second);
  // A log axis starts a decade below half the smallest value, so that the shortest bar shows.
  const double floor = log ? std::pow(10, std::floor(std::log10(d.range().first / u.per / 2))) : 0;
  const double top = d.range().second / u.per * (log ? 1.5 : 1.1);
  const std::size_t m = d.models.size();
  const double half = group_width / static_cast<double>(m) / 2;

  std::string script = terminal_settings(title_of(w, f));
  script += fmt::format("set ylabel {}\n",
                        quoted(fmt::format("wall time ({}{})", u.name, log ? ", log scale" : "")));
  script += log ? fmt::format("set logscale y\nset yrange [{:g}:{:g}]\n{}", floor, top,
                              log_tics(floor, top))
                : fmt::format("set yrange [0:{:g}]\n", top);
  script += fmt::format("set xrange [-0.6:{:g}]\nset xtics scale 0 (", f.cases.size() - 0.4);
  for (std::size_t i = 0; i < f.cases.size(); ++i)
    script += fmt::format("{}{} {}", i ? ", " : "", quoted(f.cases[i]), i);
  script += ")";
  script += labels_fit(f.cases) ? "\n" : " rotate by 30 right\n";
  // The bar's point near its foot (a twentieth of the axis up), but inside the bar.
  const auto point_height = [&](double median) {
    return log ? std::min(floor * std::pow(top / floor, 0.045), std::sqrt(floor * median))
               : std::min(top * 0.045, median / 2);
  };

  // A point as large as its bar (about 650 pixels of plot, 16 pixels a unit of point size) lets
  // it fill a wide bar and still fit a narrow one.
  const double bar_pixels = 650 * 2 * half / (static_cast<double>(f.cases.size()) + 0.2);
  const double point_size = std::clamp(bar_pixels / 16, 0.5, 1.3);

  std::vector<legend_entry> legend;
  std::string plot = "plot ";
  for (std::size_t j = 0; j < m; ++j) {
    const auto& model = d.models[j];
    const auto& look = looks.at(model);
    legend.push_back({model, look});
    std::string rows;
    for (std::size_t i = 0; i < f.cases.size(); ++i) {
      const double x = static_cast<double>(i) + bar_offset(j, m);
      if (const estimate* e = d.find(model, f.cases[i])) {
        rows += data_row(x, *e, u, floor);
        script += point_label(fmt::format("{:g},{:g}", x, point_height(e->median / u.per)), look,
                              point_size);
      } else if (const summary* s = w.find(model, f.cases[i])) {
        // Untimed: the verdict, in the model's colour, upright where the bar would stand.
        script += fmt::format(
            "set label {} at {:g}, graph 0.02 rotate by 90 left font ',10' tc rgb '{}'\n",
            quoted(s->verdict()), x + 0.1 * half, look.colour);
      }
    }
    script += fmt::format("$m{} << EOD\n{}EOD\n", j, rows);
    plot += fmt::format(
        "$m{0} using 1:2:($1-{1:g}):($1+{1:g}):({2:g}):2 with boxxyerror fc rgb '{3}' {4} "
        "notitle, $m{0} using 1:3:(0):($4-$3) with vectors {5} lc rgb '#222222' lw 1.5 notitle, ",
        j, half * 0.92, floor, look.colour, bar_fill(look), whisker_heads);
  }
  for (const auto& [model, verdict] : untimed_models(w, f, d))
    legend.push_back({fmt::format("{} ({})", model, verdict), looks.at(model)});
  script += bar_legend(legend);
  plot.resize(plot.size() - 2);
  return script + both_outputs(plot, base);
}

// A series' line: its colour, dash and point.
std::string line_style(const series_style& look) {
  return fmt::format("lc rgb '{}' lw 2 dt {} pt {} ps 1.3", look.colour, look.dash, look.point);
}

// The marks where lines stop: a × in the model's colour at the untimed rung, at the height of
// the line's nearest point, with the verdict beside it (once where marks of one verdict crowd).
std::string stop_script(const workload_cells& w, const figure& f, const figure_data& d,
                        const styles& looks, const unit& u, std::string& plot) {
  const auto marks = stop_marks(w, f, d);
  std::string script;
  std::vector<const stop_mark*> labelled;
  for (std::size_t k = 0; k < marks.size(); ++k) {
    const auto& s = marks[k];
    const auto& colour = looks.at(s.model).colour;
    script += fmt::format("$stop{} << EOD\n{:g} {:.9g}\nEOD\n", k, s.size, s.value / u.per);
    plot += fmt::format("$stop{} using 1:2 with points pt 2 ps 2 lw 2.5 lc rgb '{}' notitle, ", k,
                        colour);
    const bool crowded = std::any_of(labelled.begin(), labelled.end(), [&](auto* o) {
      return o->case_name == s.case_name && o->verdict == s.verdict &&
             std::abs(std::log(o->value / s.value)) < std::log(1.4);
    });
    if (crowded) continue;
    labelled.push_back(&s);
    script +=
        fmt::format("set label {} at {:g},{:.9g} offset char 1.2,0 left font ',10' tc rgb '{}'\n",
                    quoted(s.verdict), s.size, s.value / u.per, colour);
  }
  if (!marks.empty())
    plot +=
        "keyentry with points pt 2 ps 2 lw 2.5 lc rgb '#333333' "
        "title 'rung not timed (verdict beside)', ";
  return script;
}

// A ladder: per model a line through the medians over a band over the intervals, on log-log
// axes. A rung the model did not complete breaks its line; where the line stops, a mark says why.
std::string ladder_script(const workload_cells& w, const figure& f, const styles& looks,
                          const std::filesystem::path& base) {
  const auto d = data_of(w, f);
  const bool memory = f.kind == figure_kind::ladder_memory;
  const auto u = memory ? bytes_unit(d.range().second) : time_unit(d.range().second);

  std::string script = terminal_settings(title_of(w, f));
  script +=
      fmt::format("set xlabel {}\nset ylabel {}\n", quoted(f.axis + " (log scale)"),
                  quoted(fmt::format("{} ({}, log scale)",
                                     memory ? "peak RSS growth per item" : "wall time", u.name)));
  // Room around the points, so that none sits on the border.
  const double low = d.range().first / u.per / 1.6, high = d.range().second / u.per * 1.6;
  script += fmt::format(
      "set logscale xy\nset grid xtics ytics\nset yrange [{:g}:{:g}]\n{}"
      "set xrange [{:g}:{:g}]\nset xtics (",
      low, high, log_tics(low, high), f.sizes.front() / 1.5, f.sizes.back() * 1.5);
  for (std::size_t i = 0; i < f.sizes.size(); ++i)
    script += fmt::format("{}{} {:g}", i ? ", " : "", quoted(size_text(f.sizes[i])), f.sizes[i]);
  script += ")\n";

  std::string plot = "plot ";
  for (std::size_t j = 0; j < d.models.size(); ++j) {
    const auto& model = d.models[j];
    std::string rows;
    std::size_t points = 0;
    for (std::size_t i = 0; i < f.cases.size(); ++i) {
      if (const estimate* e = d.find(model, f.cases[i])) {
        rows += data_row(f.sizes[i], *e, u, low);
        ++points;
      } else if (!rows.empty() && !rows.ends_with("\n\n")) {
        rows += "\n";  // a gap
      }
    }
    const auto& look = looks.at(model);
    script += fmt::format("$m{} << EOD\n{}EOD\n", j, rows);
    plot += fmt::format(
        "$m{0} using 1:3:4 with filledcurves fc rgb '{1}' fs transparent solid 0.15 noborder "
        "notitle, $m{0} using 1:2 with linespoints {2} title {3}, ",
        j, look.colour, line_style(look), quoted(model));
    if (points == 1)  // no band to see: a whisker instead
      plot += fmt::format("$m{} using 1:3:(0):($4-$3) with vectors {} lc rgb '{}' notitle, ", j,
                          whisker_heads, look.colour);
  }
  script += stop_script(w, f, d, looks, u, plot);
  for (const auto& [model, verdict] : untimed_models(w, f, d))
    plot += fmt::format("keyentry with linespoints {} title {}, ", line_style(looks.at(model)),
                        quoted(fmt::format("{} ({})", model, verdict)));
  plot.resize(plot.size() - 2);
  return script + both_outputs(plot, base);
}

}  // namespace

std::string gnuplot_script(const workload_cells& w, const figure& f, const styles& looks,
                           const std::filesystem::path& dir) {
  const auto base = dir / f.stem;
  return f.kind == figure_kind::cases ? bars_script(w, f, looks, base)
                                      : ladder_script(w, f, looks, base);
}

std::vector<std::string> plot_all(const std::vector<std::string>& model_order,
                                  const std::vector<workload_cells>& workloads,
                                  const std::filesystem::path& dir) {
  const auto looks = styles_of(model_order, workloads);
  const cleanup::owned_temp_dir scratch("concur-plots");
  std::vector<std::string> written;
  for (const auto& w : workloads) {
    for (const auto& f : figures_of(w)) {
      const auto script_path = std::filesystem::path(scratch.path()) / (f.stem + ".gp");
      std::ofstream script(script_path);
      script << gnuplot_script(w, f, looks, dir);
      script.close();
      if (!script) throw error(fmt::format("cannot write {}", script_path.string()));
      // No shell: a directory name with a quote in it stays one argument.
      const auto run = process::capture({"gnuplot", script_path.string()}, true);
      for (const char* ext : {".png", ".svg"}) {
        const auto out = dir / (f.stem + ext);
        std::error_code ec;
        if (run.status != 0 || std::filesystem::file_size(out, ec) == 0 || ec)
          throw error(fmt::format("gnuplot did not draw {} (exit status {}): {}", out.string(),
                                  run.status, run.out));
        written.push_back(out.string());
      }
    }
  }
  return written;
}

}  // namespace concur::report::detail
