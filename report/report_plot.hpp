#pragma once
// Internal to the report writers: the plots of a workload. Which figures a workload gets and
// their numbers (report_plot_data.cpp), how each series looks (report_plot_style.cpp), their
// gnuplot scripts and the run of gnuplot (report_plot.cpp); report.md links them
// (report_markdown_figures.cpp).
//
// The categorical cases of a workload share one grouped bar chart (a group per case, a bar per
// model, 95 % CI whiskers), every case off the lines, a case no model completed too (its verdicts
// in the bars' places). Each size ladder with two timed rungs or more (the cases whose rows name
// the same axis) gets a log-log line plot of wall time against size with CI bands, and one of the
// peak memory growth per item; where a model's line stops at a rung it did not complete, a × says
// why. A ladder of one timed rung is a case like any other.
#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "report/report_summary.hpp"

namespace concur::report::detail {

enum class figure_kind { cases, ladder_time, ladder_memory };

// One plot of a workload: the cases it shows and the file it goes to.
struct figure {
  figure_kind kind = figure_kind::cases;
  std::string stem;                // the file's name without extension
  std::string axis;                // the ladder's axis; empty for the cases' bar chart
  std::vector<std::string> cases;  // in plotting order (a ladder's by size)
  std::vector<double> sizes;       // a ladder's rung sizes, parallel to cases
};

// The figures of a workload, in the order report.md shows them; none without a timed cell.
std::vector<figure> figures_of(const workload_cells& w);

// A cell's median with its order-statistic 95 % interval ([min, max] below 6 runs, which covers
// less: below_level).
struct estimate {
  double median = 0, lo = 0, hi = 0;
  std::size_t n = 0;
  bool below_level = false;
};

// A figure's numbers: per (model, case), the cell's estimate of the figure's quantity (wall time,
// or bytes per item), when it has one that a log axis can show (positive).
struct figure_data {
  std::vector<std::string> models;  // those with at least one point, in the workload's order
  std::map<std::pair<std::string, std::string>, estimate> points;

  const estimate* find(const std::string& model, const std::string& case_name) const;
  bool any_below_level() const;
  // The smallest positive end (lo, else the median) and the largest hi: what a log axis spans.
  std::pair<double, double> range() const;
};
figure_data data_of(const workload_cells& w, const figure& f);

// What the figure shows, in words: its title, and the image's text in report.md.
std::string title_of(const workload_cells& w, const figure& f);

// How a series is drawn: its colour ("#rrggbb"), gnuplot point type (pt), dash type (dt) and
// bar fill (0: solid, else gnuplot's fill pattern). A model's colour and point come from its place
// in the model order (results::model_order), so that it looks the same in every plot of every
// report whatever ran; any number of models each has a colour of its own (Okabe-Ito's, then hues
// around the wheel). A Python cell has its counterpart's colour with the hollow form of its point,
// a dashed line and a hatched bar; an external program (or any other name) one of the neutral
// colours and points of its own, in the order the names first appear, a dotted line and a
// cross-hatched bar. Models, Python cells and programs so differ in point, dash and fill too.
struct series_style {
  std::string colour;
  int point = 7, dash = 1, pattern = 0;
  auto operator<=>(const series_style&) const = default;
};
using styles = std::map<std::string, series_style>;
styles styles_of(const std::vector<std::string>& model_order,
                 const std::vector<workload_cells>& workloads);
// The outline form of a filled point type, and the filled form of a point type (a disc for the
// crosses, which have none): a hollow point is drawn over its filled form in white to stand out.
int hollow_point(int point);
int filled_point(int point);
// Black or white, whichever reads on a fill of this colour.
std::string contrast_colour(const std::string& colour);

// Where a ladder's line stops because its model did not complete the next rung (or the one before
// its first point): that rung's size, the verdict, at the height of the line's nearest point.
struct stop_mark {
  std::string model, case_name, verdict;
  double size = 0, value = 0;
};
std::vector<stop_mark> stop_marks(const workload_cells& w, const figure& f, const figure_data& d);

// The models with cells in the figure's cases but none completed, each with its first verdict:
// no line or bar of theirs to see, so the legend says why.
std::vector<std::pair<std::string, std::string>> untimed_models(const workload_cells& w,
                                                                const figure& f,
                                                                const figure_data& d);

// The gnuplot script that draws the figure as dir/<stem>.png and dir/<stem>.svg, its data inline.
std::string gnuplot_script(const workload_cells& w, const figure& f, const styles& looks,
                           const std::filesystem::path& dir);

// Draws every figure of every workload into dir; returns the paths written. Throws report::error
// naming the figure and what gnuplot said when it fails.
std::vector<std::string> plot_all(const std::vector<std::string>& model_order,
                                  const std::vector<workload_cells>& workloads,
                                  const std::filesystem::path& dir);

}  // namespace concur::report::detail
