#include "core/report_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/median.hpp"
#include "core/vocabulary.hpp"

namespace concur::report::detail {
namespace {

template <class T>
void add_unique(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

bool is_pass(const row& x) {
  return x.verdict == to_string(vocabulary::verdict_kind::pass);
}

std::optional<double> summary::median_of(std::optional<double> row::*field) const {
  std::vector<double> v;
  for (const row* r : reps)
    if (is_pass(*r) && (r->*field)) v.push_back(*(r->*field));
  return median(v);
}

std::optional<double> summary::median_metric(const std::string& name) const {
  std::vector<double> v;
  for (const row* r : reps)
    for (const auto& [k, x] : r->metrics)
      if (is_pass(*r) && k == name) v.push_back(x);
  return median(v);
}

bool summary::passed() const {
  return std::all_of(reps.begin(), reps.end(), [](auto* r) { return is_pass(*r); });
}

std::string summary::verdict() const {
  for (const row* r : reps)
    if (!is_pass(*r)) return r->verdict;
  return std::string(to_string(vocabulary::verdict_kind::pass));
}

std::string summary::detail() const {
  for (const row* r : reps)
    if (!is_pass(*r)) return r->detail;
  return "";
}

const summary* workload_cells::find(const std::string& model, const std::string& case_name) const {
  const auto it = cells.find({model, case_name});
  return it == cells.end() ? nullptr : &it->second;
}

bool workload_cells::is_program(const std::string& model) const {
  return std::find(programs.begin(), programs.end(), model) != programs.end();
}

std::vector<workload_cells> by_workload(const results& r) {
  std::vector<workload_cells> out;
  for (const auto& x : r.rows) {
    auto w =
        std::find_if(out.begin(), out.end(), [&](const auto& w) { return w.name == x.workload; });
    if (w == out.end()) w = out.insert(out.end(), workload_cells{.name = x.workload});
    add_unique(w->cases, x.case_name);
    add_unique(w->models, x.model);
    if (x.external) add_unique(w->programs, x.model);
    for (const auto& [k, v] : x.metrics) add_unique(w->metrics, k);
    w->cells[{x.model, x.case_name}].reps.push_back(&x);
  }
  return out;
}

std::string human_time(double s) {
  if (s >= 1) return fmt::format("{:.3g} s", s);
  if (s >= 1e-3) return fmt::format("{:.3g} ms", s * 1e3);
  return fmt::format("{:.3g} µs", s * 1e6);
}

std::string human_bytes(double b) {
  constexpr double kib = 1024.0, mib = kib * 1024, gib = mib * 1024;
  if (std::abs(b) >= gib) return fmt::format("{:.3g} GiB", b / gib);
  if (std::abs(b) >= mib) return fmt::format("{:.3g} MiB", b / mib);
  if (std::abs(b) >= kib) return fmt::format("{:.3g} KiB", b / kib);
  return fmt::format("{:.0f} B", b);
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += "<br>";
    else
      out += c;
  }
  return out;
}

}  // namespace concur::report::detail
