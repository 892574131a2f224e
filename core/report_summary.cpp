#include "core/report_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/median.hpp"
#include "core/vocabulary.hpp"

namespace concur::report::detail {
namespace {

template <class T>
void add_unique(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

std::vector<double> values_only(const by_repetition& v) {
  std::vector<double> out;
  for (const auto& [index, x] : v) out.push_back(x);
  return out;
}

// Each repetition index once: a file whose indexes repeat (two runs concatenated) cannot pair.
bool unique_indexes(const by_repetition& v) {
  for (std::size_t i = 1; i < v.size(); ++i)
    if (v[i].first == v[i - 1].first) return false;
  return true;
}

// The values of both sides at the indexes they share, when those are all of the smaller side's.
std::optional<std::pair<std::vector<double>, std::vector<double>>> paired_values(
    const by_repetition& a, const by_repetition& b) {
  if (!unique_indexes(a) || !unique_indexes(b)) return std::nullopt;
  std::pair<std::vector<double>, std::vector<double>> out;
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {  // both sorted by index
    if (a[i].first < b[j].first) {
      ++i;
    } else if (b[j].first < a[i].first) {
      ++j;
    } else {
      out.first.push_back(a[i++].second);
      out.second.push_back(b[j++].second);
    }
  }
  if (out.first.size() != std::min(a.size(), b.size())) return std::nullopt;
  return out;
}

// The smallest family index among the rows of the cells `pick` selects; rows without one (files
// not from concur-bench) count as last, so their order stays that of the file.
template <class Pick>
long long first_index(const workload_cells& w, Pick pick) {
  long long best = std::numeric_limits<long long>::max();
  for (const auto& [key, cell] : w.cells)
    if (pick(key))
      for (const row* r : cell.reps)
        if (r->family_index >= 0) best = std::min(best, r->family_index);
  return best;
}

// Models and cases in the order of concur-bench's matrix: with interleaved rounds the file lists
// the runs in the order they ran, which is shuffled.
void in_matrix_order(workload_cells& w) {
  const auto by = [&](std::vector<std::string>& names, auto key_part) {
    std::vector<std::pair<long long, std::string>> keyed;
    for (const auto& n : names)
      keyed.emplace_back(first_index(w, [&](const auto& key) { return key_part(key) == n; }), n);
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < names.size(); ++i) names[i] = keyed[i].second;
  };
  by(w.models, [](const auto& key) { return key.first; });
  by(w.cases, [](const auto& key) { return key.second; });
}

}  // namespace

std::optional<ratio_estimate> ratio_of(const by_repetition& numerator,
                                       const by_repetition& denominator) {
  if (numerator.empty() || denominator.empty()) return std::nullopt;
  if (std::any_of(denominator.begin(), denominator.end(), [](auto& x) { return x.second <= 0; }))
    return std::nullopt;
  if (const auto pairs = paired_values(numerator, denominator))
    return ratio_estimate{stats::paired_ratio(pairs->first, pairs->second), true,
                          pairs->first.size()};
  const auto a = values_only(numerator), b = values_only(denominator);
  return ratio_estimate{stats::bootstrap_ratio(a, b), false, std::min(a.size(), b.size())};
}

schedule schedule_of(const results& r) {
  return r.value(vocabulary::context::rounds_seed) ? schedule::rounds : schedule::back_to_back;
}

bool is_pass(const row& x) {
  return x.verdict == to_string(vocabulary::verdict_kind::pass);
}

by_repetition summary::values_of(std::optional<double> row::*field) const {
  by_repetition v;
  for (const row* r : reps)
    if (is_pass(*r) && (r->*field)) v.emplace_back(r->repetition, *(r->*field));
  std::sort(v.begin(), v.end());
  return v;
}

by_repetition summary::metric_values(const std::string& name) const {
  by_repetition v;
  for (const row* r : reps)
    for (const auto& [k, x] : r->metrics)
      if (is_pass(*r) && k == name) v.emplace_back(r->repetition, x);
  std::sort(v.begin(), v.end());
  return v;
}

std::optional<stats::summary> summary::time_stats() const {
  const auto v = values_only(values_of(&row::real_s));
  if (v.empty()) return std::nullopt;
  return stats::describe(v);
}

bool summary::noisy() const {
  const auto s = time_stats();
  return s && s->n > 1 && s->cv > noisy_cv;  // NaN (one run) compares false
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
  for (auto& w : out) in_matrix_order(w);
  return out;
}

std::string human_time(double s) {
  if (s < 1e-6 && s > 0) return fmt::format("{:.3g} ns", s * 1e9);
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

std::string csv_number(const std::optional<double>& v) {
  return v ? fmt::format("{:.9g}", *v) : "";
}

}  // namespace concur::report::detail
