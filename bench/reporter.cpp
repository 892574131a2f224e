#include "bench/reporter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/vocabulary.hpp"
#include "report/report_summary.hpp"
#include "report/stats.hpp"

namespace concur::bench {

round_reporter::round_reporter(benchmark::BenchmarkReporter& display,
                               std::map<std::string, std::size_t> cells)
    : display_(display), cells_(std::move(cells)) {
  SetOutputStream(&display.GetOutputStream());
  SetErrorStream(&display.GetErrorStream());
}

bool round_reporter::ReportContext(const Context& context) {
  if (context_shown_) return true;
  context_shown_ = true;
  return display_.ReportContext(context);
}

void round_reporter::ReportRuns(const std::vector<Run>& runs) {
  std::vector<Run> stamped;
  for (Run run : runs) {
    const auto cell = cells_.find(run.run_name.function_name);
    if (cell != cells_.end()) {
      run.family_index = static_cast<std::int64_t>(cell->second);
      run.per_family_instance_index = 0;
      run.run_name = first_names_.try_emplace(cell->second, run.run_name).first->second;
    }
    run.repetition_index = static_cast<std::int64_t>(round_);
    // Both point into the round's registrations, which the next round clears.
    run.statistics = nullptr;
    run.memory_result = nullptr;
    stamped.push_back(std::move(run));
  }
  display_.ReportRuns(stamped);
  runs_.insert(runs_.end(), stamped.begin(), stamped.end());
}

namespace {

// A regular file (or a new one) is written beside itself and renamed over: a run killed while
// writing keeps the previous round's whole file. Anything else (/dev/stdout, a pipe) is written
// in place.
std::string staging_path(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  const bool regular_or_new = status.type() == std::filesystem::file_type::regular ||
                              status.type() == std::filesystem::file_type::not_found;
  return regular_or_new ? path + ".partial" : path;
}

}  // namespace

bool round_reporter::write_json(const std::string& path) const {
  const std::string staging = staging_path(path);
  {
    std::ofstream out(staging, std::ios::trunc);
    if (!out) return false;
    write_json(out);
    if (!out) {
      const int why = errno;
      std::error_code ignored;
      if (staging != path) std::filesystem::remove(staging, ignored);
      errno = why;
      return false;
    }
  }
  if (staging == path) return true;
  std::error_code ec;
  std::filesystem::rename(staging, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(staging, ignored);
    errno = ec.value();
  }
  return !ec;
}

void round_reporter::write_json(std::ostream& out) const {
  // "repetitions": the runs the cell has so far (a cell's count under the adaptive rule).
  std::map<std::int64_t, std::int64_t> count;
  for (const Run& run : runs_) ++count[run.family_index];
  benchmark::JSONReporter json;
  json.SetOutputStream(&out);
  json.SetErrorStream(&std::cerr);
  json.ReportContext(Context{});
  for (Run run : runs_) {
    run.repetitions = count[run.family_index];
    json.ReportRuns({run});
  }
  json.Finalize();
  out.flush();
}

void round_reporter::finish() {
  display_.Finalize();
  display_.GetOutputStream().flush();
}

void cell_display::ReportRuns(const std::vector<Run>& runs) {
  for (const Run& run : runs) {
    cell& c = cells_[run.family_index];
    if (c.name.empty()) c.name = run.run_name.function_name;
    if (run.error_occurred) {
      c.verdict = run.error_message;  // a skip message: the verdict's kind, then why
    } else if (run.iterations > 0) {
      c.seconds.push_back(run.real_accumulated_time / static_cast<double>(run.iterations));
      if (c.verdict.empty()) c.verdict = vocabulary::to_string(vocabulary::verdict_kind::pass);
    }
  }
}

void cell_display::Finalize() {
  std::size_t width = 0;
  for (const auto& [index, c] : cells_) width = std::max(width, c.name.size());
  auto& out = GetOutputStream();
  out << fmt::format("{:<{}}  {:>24}  {:>4}  {}\n", "cell", width, "median ± 95 % CI", "runs",
                     "verdict");
  for (const auto& [index, c] : cells_)
    out << fmt::format("{:<{}}  {}\n", c.name, width, cell_figures(c.seconds, c.verdict));
  out.flush();
}

std::string cell_figures(const std::vector<double>& seconds, const std::string& verdict) {
  if (seconds.empty()) return fmt::format("{:>24}  {:>4}  {}", "–", "", verdict);
  const auto s = stats::describe(seconds);
  std::string time = report::detail::human_time(s.median);
  if (s.n > 1) {
    const double half = std::max(s.median_ci.hi - s.median, s.median - s.median_ci.lo);
    time += fmt::format(" ± {:.1f} %", half / s.median * 100);
    if (s.median_ci.below_level) time += fmt::format(" ({:.3g} %)", s.median_ci.coverage * 100);
  }
  return fmt::format("{:>24}  {:>4}  {}", time, s.n, verdict);
}

}  // namespace concur::bench
