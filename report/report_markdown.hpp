#pragma once
// Internal to report.md's writers: report_markdown.cpp (the layout, the workloads' overviews),
// report_markdown_contents.cpp (the contents line), report_markdown_details.cpp (the per-case
// tables of details/<workload>.md), report_markdown_settings.cpp (the models' settings),
// report_markdown_figures.cpp (numbers with their intervals, the methods) and
// report_markdown_machine.cpp (the machine during the run, its calibration, the environment).
#include <string>
#include <vector>

#include "report/report_summary.hpp"

namespace concur::report::detail {

// "101 ms [100–103 ms]", with the marks of an interval short of 95 %; a single run has none.
std::string time_with_interval(const stats::summary& s);
// "9.94× [9.90–9.98]", or "no difference resolved [0.97–1.08]" when the interval contains 1.
std::string ratio_with_interval(const ratio_estimate& r);
// The ideal time over the median, its interval from the time's: "0.99 [0.98–1.00]".
std::string efficiency_with_interval(double ideal_s, const stats::summary& time);
// A cell's median memory growth (peak RSS growth, bytes per item); none when negative: the peak
// RSS of a separate process (the course's Python) can fall between its baseline and the work's
// end, noise that says nothing of the work.
std::optional<double> memory_growth(const summary& s, std::optional<double> row::*field);
// "12.3 %", with ⚠ above noisy_above; "–" for a single run.
std::string cv_text(const stats::summary& s, double noisy_above);

// "| a | b |\n" followed by the separator row with the given alignments.
std::string table_head(const std::vector<std::string>& columns, const std::string& alignments);
std::string repeat(const std::string& s, std::size_t n);

// The anchor GitHub gives a heading: lower case, spaces to hyphens, punctuation dropped (ASCII
// punctuation; other characters are kept as they are).
std::string github_anchor(const std::string& heading);
// One line linking every level-2 heading of the markdown, in order, each to its anchor (a
// repeated heading gets GitHub's -1, -2 suffix).
std::string contents(const std::string& markdown);

// details/<workload>.md, relative to report.md; the name keeps [A-Za-z0-9_-] of the workload's.
std::string details_path(const std::string& workload);
// The workload's per-case tables: every cell with its figures, the cells not timed one line per
// reason, the largest rungs, the cost growth, the measured figures, the models against the
// programs and against the course's Python.
std::string details(const workload_cells& w);

// Each model's settings once for the whole run, naming the workloads and cases that set their
// own; empty when no cell recorded any.
std::string settings_section(const std::vector<workload_cells>& workloads,
                             const std::vector<std::string>& model_order);

// The workload's plots in plot_dir (relative to report.md), each image a link to its SVG, with
// what their whiskers and bands are; empty when plot_dir is.
std::string plot_links(const workload_cells& w, const std::string& plot_dir);

// What the figures are and how their intervals were had, with the legend of the marks, and how
// the rounds were scheduled when they were.
std::string methods(const results& r);

// The very top of the report: a warning when the machine was busy (or a model slowed down on
// purpose by the test hook); empty otherwise.
std::string machine_warnings(const results& r);
// Under the warnings: the machine's noise floor and how many cells are noisier (⚠).
std::string noise_line(const results& r, const std::vector<workload_cells>& workloads);
// The machine's state over the run.
std::string machine_during_run(const results& r);
// Workloads x models, each model's time over the workload's best, and a sentence per workload
// (report_markdown_overview.cpp).
std::string summary_section(const results& r, const std::vector<workload_cells>& workloads);
// The summary's rule for best, tie and floor in full, for the method section.
std::string summary_method();
// The calibration probes in readable units, before the environment.
std::string calibration(const results& r);
// Per workload, each C++ model against its counterpart in the course's Python
// (report_markdown_python.cpp); empty when no pair was timed.
std::string against_python(const workload_cells& w);
// How the Python comparison is made, for the method section: said once, whatever the workloads.
std::string python_method();
// How a ladder's growth is fitted, for the method section (report_markdown_growth.cpp).
std::string growth_method();
bool has_ladder(const workload_cells& w);
// Per workload with size ladders, how each model's cost grows with the size: the fit on log-log
// axes, the cost and bytes per item at the largest rung, where it bends
// (report_markdown_growth.cpp); empty when the workload has no ladder.
std::string cost_growth(const workload_cells& w);
// Every context key, and those concur-bench recorded after the run.
std::string environment(const results& r);

}  // namespace concur::report::detail
