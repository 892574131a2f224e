// `concur compare`: the cells of every file side by side, each file after the first compared with
// it through stats::compare.
#include "report/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include "core/machine.hpp"
#include "core/vocabulary.hpp"

namespace concur::compare {
namespace {

using key = std::tuple<std::string, std::string, std::string>;  // workload, model, case

std::optional<std::string> context_value(const report::results& r, std::string_view name) {
  for (const auto& [k, v] : r.context)
    if (k == name) return v;
  return std::nullopt;
}

// A repetition that did not pass decides the cell's verdict: one failed run makes the cell
// failed, whatever the others did.
void add_row(side& s, const report::row& r) {
  s.present = true;
  if (r.verdict != vocabulary::to_string(vocabulary::verdict_kind::pass)) {
    if (s.verdict.empty() || s.passed()) {
      s.verdict = r.verdict;
      s.detail = r.detail;
    }
    return;
  }
  if (s.verdict.empty()) s.verdict = r.verdict;
  if (r.real_s) s.times.push_back(*r.real_s);
}

// The cells of every file, in the order they first appear (the base's order, then new cells).
std::vector<cell> gather(const std::vector<input>& inputs) {
  std::map<key, std::size_t> index;
  std::vector<cell> cells;
  for (std::size_t f = 0; f < inputs.size(); ++f) {
    for (const auto& r : inputs[f].results.rows) {
      auto [it, fresh] = index.try_emplace(key{r.workload, r.model, r.case_name}, cells.size());
      if (fresh)
        cells.push_back({r.workload, r.model, r.case_name, std::vector<side>(inputs.size()), {}});
      add_row(cells[it->second].sides[f], r);
    }
  }
  for (auto& c : cells)
    for (auto& s : c.sides)
      if (!s.times.empty()) s.median = stats::describe(s.times).median;
  return cells;
}

// The U test's p for two samples that do not overlap at all: the smallest it can give at these
// sizes, whatever the timings.
double smallest_p(std::size_t n_base, std::size_t n_new) {
  std::vector<double> low(n_base), high(n_new);
  std::iota(low.begin(), low.end(), 1.0);
  std::iota(high.begin(), high.end(), static_cast<double>(n_base) + 1);
  return stats::mann_whitney_u(low, high).p;
}

column compare_sides(const side& base, const side& other, const stats::compare_options& so) {
  column col;
  if (!base.present || !other.present) {
    col.what = base.present    ? state::only_in_base
               : other.present ? state::only_in_new
                               : state::in_neither;
    return col;
  }
  if (!base.timed() || !other.timed()) {
    col.what = state::not_timed;
    return col;
  }
  col.what = state::compared;
  col.change = stats::compare(base.times, other.times, so);
  col.smallest_p = smallest_p(base.times.size(), other.times.size());
  col.too_few = col.smallest_p >= so.alpha;
  col.regression = col.change->outcome == stats::verdict::slower && col.change->beyond_threshold;
  return col;
}

void count(tally& t, const column& col) {
  switch (col.what) {
    case state::compared:
      ++t.compared;
      if (col.change->outcome == stats::verdict::slower) ++t.slower;
      if (col.change->outcome == stats::verdict::faster) ++t.faster;
      if (col.change->outcome == stats::verdict::no_change_resolved) ++t.unresolved;
      if (col.change->outcome == stats::verdict::no_change_resolved && col.too_few) ++t.too_few;
      if (col.regression) ++t.regressions;
      break;
    case state::only_in_base:
    case state::only_in_new:
      ++t.only_in_one;
      break;
    case state::not_timed:
      ++t.not_timed;
      break;
    case state::in_neither:
      break;
  }
}

// The size of a change on a log scale, so that 2x slower and 2x faster weigh the same.
double magnitude(const column& col) {
  return col.change ? std::abs(std::log(col.change->new_over_base.estimate)) : 0.0;
}

bool resolved(const column& col) {
  return col.change && col.change->outcome != stats::verdict::no_change_resolved;
}

// Sort rank of a cell: resolved changes (0), compared but unresolved (1), the rest (2); within a
// rank, the largest change first.
std::pair<int, double> sort_key(const cell& c) {
  int rank = 2;
  double size = 0;
  for (const auto& col : c.columns) {
    const int r = resolved(col) ? 0 : col.change ? 1 : 2;
    if (r < rank) {
      rank = r;
      size = 0;
    }
    if (r == rank) size = std::max(size, magnitude(col));
  }
  return {rank, -size};
}

// Labels must tell the columns apart: duplicates get the file name, then the path, then their
// position.
void make_unique(std::vector<std::string>& labels, const std::vector<std::string>& paths) {
  const std::vector<std::string> original = labels;
  auto qualifier = [&](int level, std::size_t i) {
    if (level == 0) return std::filesystem::path(paths[i]).filename().string();
    if (level == 1) return paths[i];
    return fmt::format("#{}", i + 1);
  };
  for (int level = 0; level < 3; ++level) {
    std::map<std::string, int> seen;
    for (const auto& l : labels) ++seen[l];
    if (std::all_of(seen.begin(), seen.end(), [](const auto& kv) { return kv.second == 1; }))
      return;
    for (std::size_t i = 0; i < labels.size(); ++i)
      if (seen[labels[i]] > 1) labels[i] = fmt::format("{} ({})", original[i], qualifier(level, i));
  }
}

std::vector<std::string> labels_for(const std::vector<input>& inputs, const options& o) {
  if (!o.labels.empty() && o.labels.size() != inputs.size())
    throw error(fmt::format("{} labels for {} files: give one --label per file, in their order",
                            o.labels.size(), inputs.size()));
  std::vector<std::string> labels = o.labels, paths;
  for (const auto& in : inputs) paths.push_back(in.path);
  if (labels.empty())
    for (const auto& in : inputs) labels.push_back(label_from_context(in));
  make_unique(labels, paths);
  return labels;
}

}  // namespace

bool comparison::regressed() const {
  return std::any_of(totals.begin(), totals.end(), [](const tally& t) { return t.regressions; });
}

std::string label_from_context(const input& in) {
  const auto host = context_value(in.results, "host_name");
  auto date = context_value(in.results, "date");
  // "2026-11-25T18:18:25+00:00" -> "2026-11-25 18:18": the minute tells runs apart.
  if (date && date->size() >= 16 && (*date)[10] == 'T')
    *date = date->substr(0, 10) + ' ' + date->substr(11, 5);
  if (host && date) return *host + ' ' + *date;
  if (host) return *host;
  if (date) return *date;
  return std::filesystem::path(in.path).filename().string();
}

std::optional<std::string> noise_warning(const input& in, const std::string& label) {
  const auto busy = context_value(in.results, machine::keys::noise_busy);
  if (!busy || *busy != "true") return std::nullopt;
  auto reasons = context_value(in.results, machine::keys::noise_busy_reasons).value_or("");
  if (reasons.empty()) reasons = "no reason recorded";
  return fmt::format("warning: {} ({}) ran on a busy machine: {}", label, in.path, reasons);
}

comparison build(const std::vector<input>& inputs, const options& o) {
  if (inputs.size() < 2)
    throw error(fmt::format("need a base and at least one file to compare, got {} file{}",
                            inputs.size(), inputs.size() == 1 ? "" : "s"));
  comparison out;
  out.labels = labels_for(inputs, o);
  for (std::size_t f = 0; f < inputs.size(); ++f) {
    out.paths.push_back(inputs[f].path);
    if (auto w = noise_warning(inputs[f], out.labels[f])) out.warnings.push_back(*w);
  }
  stats::compare_options so;
  so.threshold = o.threshold;
  out.threshold = so.threshold;
  out.alpha = so.alpha;
  out.cells = gather(inputs);
  out.totals.resize(inputs.size() - 1);
  for (auto& c : out.cells) {
    for (std::size_t f = 1; f < inputs.size(); ++f) {
      c.columns.push_back(compare_sides(c.sides[0], c.sides[f], so));
      count(out.totals[f - 1], c.columns.back());
    }
  }
  std::stable_sort(out.cells.begin(), out.cells.end(),
                   [](const cell& a, const cell& b) { return sort_key(a) < sort_key(b); });
  return out;
}

}  // namespace concur::compare
