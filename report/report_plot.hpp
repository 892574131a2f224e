#pragma once
// Internal to the report writers: the plots of a workload. Which figures a workload gets and
// their numbers (report_plot_data.cpp), their gnuplot scripts and the run of gnuplot
// (report_plot.cpp); report.md links them (report_markdown_figures.cpp).
//
// The categorical cases of a workload share one grouped bar chart (a group per case, a bar per
// model, 95 % CI whiskers). Each size ladder with two rungs or more (the cases whose rows name the
// same axis) gets a log-log line plot of wall time against size with CI bands, and one of the peak
// memory growth per item. A ladder of one rung is a case like any other.
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

// A colour per model ("#rrggbb"): a model's by its place in the model order (results::model_order),
// so that it is the same in every plot of every report whatever ran, any number of models each a
// colour of its own; a Python cell's its counterpart's light shade; any other name's (an external
// program's) one of its own, in the order the names first appear over the workloads.
using palette = std::map<std::string, std::string>;
palette colours_of(const std::vector<std::string>& model_order,
                   const std::vector<workload_cells>& workloads);

// The gnuplot script that draws the figure as dir/<stem>.png and dir/<stem>.svg, its data inline.
std::string gnuplot_script(const workload_cells& w, const figure& f, const palette& colours,
                           const std::filesystem::path& dir);

// Draws every figure of every workload into dir; returns the paths written. Throws report::error
// naming the figure and what gnuplot said when it fails.
std::vector<std::string> plot_all(const std::vector<std::string>& model_order,
                                  const std::vector<workload_cells>& workloads,
                                  const std::filesystem::path& dir);

}  // namespace concur::report::detail
