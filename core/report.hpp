#pragma once
// Reports from Google Benchmark's JSON: one long-format CSV row per workload x model x case x
// repetition, and a markdown summary (medians, speed-up, efficiency, verdicts, environment).
// Read in report_json.cpp, written in report_csv.cpp, report_markdown.cpp and report_plot.cpp;
// the words shared with concur-bench are in core/vocabulary.hpp.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace concur::report {

class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct row {
  std::string workload, model, case_name;
  int repetition = 0;
  std::string verdict;  // to_string(vocabulary::verdict_kind): pass, FAIL, skipped, ...
  std::string detail;   // the reason or diff when not pass
  std::string oracle, settings;
  bool external = false;  // an external program (find, fd, wrk), not a model
  long long iterations = 0;
  // Timings and counters; absent when the cell did not run.
  std::optional<double> real_s, process_cpu_s, items_per_second, ideal_s, efficiency, cpu_util,
      peak_rss_growth_bytes, bytes_per_item;
  // Any other counter: the figures a workload measured beside its answer, by name.
  std::vector<std::pair<std::string, double>> metrics;
};

struct results {
  std::vector<row> rows;
  std::vector<std::pair<std::string, std::string>> context;  // the benchmark's context block
};

// Throws report::error with a readable message when the JSON is not concur-bench output.
results parse(const nlohmann::json& doc);
results load(const std::string& path);

std::string to_csv(const results& r);
std::string to_markdown(const results& r, const std::string& plot_dir_relative = "");

// Writes results.csv and report.md (and, when gnuplot is installed, a plot per workload) into
// dir; returns the paths written.
std::vector<std::string> write_all(const results& r, const std::string& dir);

}  // namespace concur::report
