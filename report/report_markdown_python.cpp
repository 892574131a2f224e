// report.md, per workload: "C++ vs the course's Python", each C++ model against the Python
// function the course would write for it (each Python cell's label names its counterpart), on the
// same cases: time, CPU and memory per item, Python over C++.
#include <fmt/format.h>

#include "core/vocabulary.hpp"
#include "report/report_markdown.hpp"

namespace concur::report::detail {
namespace {

const std::string process_seconds(vocabulary::counters::python_process_s);

// The cell when it was timed, else null.
const summary* timed(const workload_cells& w, std::string_view model, const std::string& c) {
  const summary* s = w.find(std::string(model), c);
  return s && s->median_of(&row::real_s) ? s : nullptr;
}

std::string ratio_text(const by_repetition& python, const by_repetition& cpp) {
  const auto r = ratio_of(python, cpp);
  return r ? ratio_with_interval(*r) : "–";
}

std::string bytes_text(const std::optional<double>& b) {
  return b ? human_bytes(*b) : "–";
}

// "1.2 KiB · 3.4 KiB (2.8×)": the C++ model's bytes per item, Python's, and their ratio; "–" for
// a side with none (or a negative growth: noise).
std::string memory_text(const summary& cpp, const summary& py) {
  const auto a = memory_growth(cpp, &row::bytes_per_item);
  const auto b = memory_growth(py, &row::bytes_per_item);
  if (!a && !b) return "–";
  std::string md = fmt::format("{} · {}", bytes_text(a), bytes_text(b));
  if (a && b && *a > 0) md += fmt::format(" ({:.3g}×)", *b / *a);
  return md;
}

std::string pair_row(const std::string& c, const std::string& model, const std::string& cell,
                     const summary& cpp, const summary& py) {
  const auto whole = py.median_metric(process_seconds);
  return fmt::format(
      "| {} | {} | {} | {} | {} | {} | {} |\n", c, model, cell,
      ratio_text(py.values_of(&row::real_s), cpp.values_of(&row::real_s)),
      ratio_text(py.values_of(&row::process_cpu_s), cpp.values_of(&row::process_cpu_s)),
      memory_text(cpp, py), whole ? human_time(*whole) : "–");
}

}  // namespace

std::optional<double> memory_growth(const summary& s, std::optional<double> row::*field) {
  const auto v = s.median_of(field);
  return v && *v >= 0 ? v : std::nullopt;
}

std::string against_python(const workload_cells& w) {
  std::string rows;
  for (const auto& c : w.cases)
    for (const auto& cell : w.models) {
      const auto pair = w.counterparts.find(cell);
      if (pair == w.counterparts.end()) continue;
      const summary* cpp = timed(w, pair->second, c);
      const summary* py = timed(w, cell, c);
      if (cpp && py) rows += pair_row(c, pair->second, cell, *cpp, *py);
    }
  if (rows.empty()) return "";
  return "\n## C++ vs the course's Python\n\nHow the pairs are made: report.md, *How to read the "
         "figures*.\n\n"
         "| case | C++ model | Python | time: Python / C++ [95 % CI] | CPU: Python / C++ "
         "[95 % CI] | bytes / item: C++ · Python | Python process |\n"
         "|---|---|---|---:|---:|---:|---:|\n" +
         rows;
}

std::string python_method() {
  return "**C++ vs the course's Python.** Each C++ model beside the Python function the course "
         "writes for it "
         "(`baselines/python/`), on the same case and checked against the same oracle. Ratios "
         "are Python's over the C++ model's, paired by round, with their 95 % interval (above 1: "
         "the C++ model is faster or uses less). Python's time is the script's own "
         "(`time.perf_counter()` around the work, after the interpreter's start-up and imports), "
         "its CPU `resource.getrusage` over the same span, its memory the growth of its peak RSS "
         "over the work (– where that growth was negative: the peak RSS read before the work was "
         "the higher, noise that says nothing of the work); the last column is the whole Python "
         "process, start-up included (" +
         process_seconds + ").\n\n";
}

}  // namespace concur::report::detail
