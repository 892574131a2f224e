#pragma once
// Reports from Google Benchmark's JSON: one long-format CSV row per workload x model x case x
// repetition, a CSV of per-cell summaries, and a markdown summary (the machine during the run,
// medians with 95 % intervals, speed-up, efficiency, verdicts, calibration, environment).
// Read in report_json.cpp, written in report_csv.cpp, report_cells_csv.cpp, report_markdown*.cpp
// and report_plot.cpp; the statistics come from report/stats.hpp (via report_summary.hpp);
// the words shared with concur-bench are in core/vocabulary.hpp.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace concur::report {

class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct row {
  std::string workload, model, case_name;
  int repetition = 0;  // the round, when concur-bench ran interleaved rounds
  // The cell's place in concur-bench's matrix (Google Benchmark's family_index), which orders the
  // models and cases of a report however the rounds shuffled the runs; -1 when absent.
  long long family_index = -1;
  std::string verdict;  // to_string(vocabulary::verdict_kind): pass, FAIL, skipped, ...
  std::string detail;   // the reason or diff when not pass
  std::string oracle, settings;
  bool external = false;  // an external program (find, fd, wrk), not a model
  // A course's Python cell: the model it is set beside (vocabulary::label::counterpart).
  std::string counterpart;
  // The case's size ladder (vocabulary::label::ladder) and its rung's size; empty for a
  // categorical case or a cell that was not timed.
  std::string ladder;
  std::optional<double> ladder_size;
  long long iterations = 0;
  // Timings and counters; absent when the cell did not run.
  std::optional<double> real_s, process_cpu_s, items_per_second, ideal_s, efficiency, cpu_util,
      peak_rss_growth_bytes, bytes_per_item;
  // Any other counter: the figures a workload measured beside its answer, by name.
  std::vector<std::pair<std::string, double>> metrics;
};

// Google Benchmark writes its context before the run, so what concur-bench learns after it (the
// noise over the run) comes in a top-level object of its own, read into `after`.
inline constexpr const char* after_object = "concur_after";

struct results {
  std::vector<row> rows;
  // Every model of the matrix in its order (vocabulary::context::model_order), which fixes a
  // model's colour; from an older file, the models as its matrix first lists them.
  std::vector<std::string> model_order;
  std::vector<std::pair<std::string, std::string>> context;  // the benchmark's context block
  std::vector<std::pair<std::string, std::string>> after;    // the after_object, when present

  // A key's value, from `after` first (it describes the whole run), else from `context`.
  std::optional<std::string> value(std::string_view key) const;
};

// The items of a list a context value holds ("a,b,c"), empty ones left out.
std::vector<std::string> split_list(const std::string& text, char separator = ',');

// Throws report::error with a readable message when the JSON is not concur-bench output.
results parse(const nlohmann::json& doc);
results load(const std::string& path);

// One row per repetition (long format).
std::string to_csv(const results& r);
// One row per cell: its median with the 95 % interval, n, CV, min, and speed-up with its interval.
std::string to_cells_csv(const results& r);
// report.md: a contents line, the summary first, per workload its plots, overview and a link to
// its details file, then the machine, the method, the settings, the calibration and the
// environment. The links are relative to report.md: the plots' directory (none when empty) and
// the whole-process comparison's report (none when empty).
std::string to_markdown(const results& r, const std::string& plot_dir_relative = "",
                        const std::string& whole_process_relative = "");

// The per-case tables of one workload, which report.md links to: `path` is relative to report.md.
struct details_file {
  std::string workload, path, text;
};
std::vector<details_file> to_details_markdown(const results& r);

// Where the whole-process comparison (scripts/whole-process) writes its report, relative to the
// report directory: report.md links to it when it is there.
inline constexpr const char* whole_process_report = "whole-process/report.md";

// Writes results.csv, cells.csv, report.md, details/<workload>.md (and, when gnuplot is
// installed, the plots into dir/plots, PNG and SVG: report/report_plot.hpp) into dir; returns the
// paths written. Throws report::error when a write fails, and when gnuplot fails, once report.md
// is written without plots.
std::vector<std::string> write_all(const results& r, const std::string& dir);

}  // namespace concur::report
