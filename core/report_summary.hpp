#pragma once
// Internal to the report writers (report_*.cpp): the repetitions of a cell folded into medians,
// the cells of one workload by model and case, and the number formats the reports share.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/report.hpp"

namespace concur::report::detail {

// One workload x model x case, its repetitions folded.
struct summary {
  std::vector<const row*> reps;

  std::optional<double> median_of(std::optional<double> row::*field) const;
  std::optional<double> median_metric(const std::string& name) const;
  const row& first() const { return *reps.front(); }
  bool passed() const;
  // The first repetition's verdict and detail that is not a pass; "pass" and "" when all passed.
  std::string verdict() const;
  std::string detail() const;
};

// The cells of one workload, in the order the JSON lists them.
struct workload_cells {
  std::string name;
  std::vector<std::string> cases, models;
  std::vector<std::string> programs;  // the models that are external programs
  std::vector<std::string> metrics;   // names of the figures the workload measured
  std::map<std::pair<std::string, std::string>, summary> cells;  // by (model, case)

  const summary* find(const std::string& model, const std::string& case_name) const;
  bool is_program(const std::string& model) const;
};

// Every workload of the results, in order.
std::vector<workload_cells> by_workload(const results& r);

bool is_pass(const row& x);

std::string human_time(double s);
std::string human_bytes(double b);
std::string md_escape(const std::string& s);

// A log-scale plot of median time per case, one line per model, written into dir with its data
// and gnuplot script; the PNG's path, or nothing when gnuplot failed.
std::optional<std::string> plot(const workload_cells& w, const std::filesystem::path& dir);

}  // namespace concur::report::detail
