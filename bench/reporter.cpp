#include "bench/reporter.hpp"

#include <fstream>
#include <iostream>

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

bool round_reporter::write_json(const std::string& path) const {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return false;
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
  return static_cast<bool>(out);
}

void round_reporter::finish() {
  display_.Finalize();
  display_.GetOutputStream().flush();
}

}  // namespace concur::bench
