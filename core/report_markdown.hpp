#pragma once
// Internal to report.md's writers: report_markdown.cpp (the workloads), report_markdown_figures.cpp
// (numbers with their intervals, the methods) and report_markdown_machine.cpp (the machine during
// the run, its calibration, the environment).
#include <string>
#include <vector>

#include "core/report_summary.hpp"

namespace concur::report::detail {

// "101 ms [100–103 ms]", with the marks of an interval short of 95 %; a single run has none.
std::string time_with_interval(const stats::summary& s);
// "9.94× [9.90–9.98]", or "no difference resolved [0.97–1.08]" when the interval contains 1.
std::string ratio_with_interval(const ratio_estimate& r);
// The ideal time over the median, its interval from the time's: "0.99 [0.98–1.00]".
std::string efficiency_with_interval(double ideal_s, const stats::summary& time);
// "12.3 %", with ⚠ above noisy_cv; "–" for a single run.
std::string cv_text(const stats::summary& s);

// What the figures are and how their intervals were had, with the legend of the marks, and how
// the rounds were scheduled when they were.
std::string methods(const results& r);

// The very top of the report: a warning when the machine was busy (or a model slowed down on
// purpose by the test hook), then the machine's state over the run.
std::string machine_during_run(const results& r, const std::vector<workload_cells>& workloads);
// The calibration probes in readable units, before the environment.
std::string calibration(const results& r);
// Per workload, each C++ model against its counterpart in the course's Python
// (report_markdown_python.cpp); empty when no pair was timed.
std::string against_python(const workload_cells& w);
// Per workload with size ladders, how each model's cost grows with the size: the fit on log-log
// axes, the cost and bytes per item at the largest rung, where it bends
// (report_markdown_growth.cpp); empty when the workload has no ladder.
std::string cost_growth(const workload_cells& w);
// Every context key, and those concur-bench recorded after the run.
std::string environment(const results& r);

}  // namespace concur::report::detail
