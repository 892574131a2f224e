#include "report/report_summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/median.hpp"
#include "core/vocabulary.hpp"
#include "report/report_merit.hpp"

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
  return s && s->n > 1 && s->cv > noisy_above;  // NaN (one run) compares false
}

std::vector<double> noise_floor_runs(const results& r) {
  std::vector<double> out;
  for (const auto& run :
       split_list(r.value(vocabulary::context::noise_floor_runs_s).value_or(""), ';')) {
    try {
      out.push_back(std::stod(run));
    } catch (const std::exception&) {
      return {};  // not ours: no floor rather than a wrong one
    }
  }
  return out;
}

std::optional<double> noise_floor_cv(const results& r) {
  const auto runs = noise_floor_runs(r);
  if (runs.size() < 2) return std::nullopt;
  // Robust: one round in which the machine stalled would otherwise raise the threshold for every
  // cell (a floor of 16 % from one slow run of six, and no cell marked).
  return stats::describe(runs).robust_cv;
}

double noisy_threshold(const results& r) {
  return std::max(noisy_cv, 2 * noise_floor_cv(r).value_or(0));
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
    if (!x.counterpart.empty()) w->counterparts.emplace(x.model, x.counterpart);
    for (const auto& [k, v] : x.metrics) add_unique(w->metrics, k);
    w->cells[{x.model, x.case_name}].reps.push_back(&x);
  }
  const double noisy_above = noisy_threshold(r);
  for (auto& w : out) {
    in_matrix_order(w);
    for (auto& [key, cell] : w.cells) cell.noisy_above = noisy_above;
  }
  // The workloads too, or each run's report would list them in its first round's shuffled order.
  const auto first = [](const workload_cells& w) {
    return first_index(w, [](auto&) { return true; });
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const auto& a, const auto& b) { return first(a) < first(b); });
  return out;
}

namespace {

// What the workload is ranked on, and by which of its cells.
struct ranking {
  const workload_cells& w;
  const merit::figure& figure;
};

// The case's median figure of the model when it completed it: every run passed, and had the
// figure, above 0 (a ratio needs it).
std::optional<double> completed_value(const ranking& k, const std::string& model,
                                      const std::string& c) {
  const summary* s = k.w.find(model, c);
  if (!s || !s->passed()) return std::nullopt;
  const auto v = figure_values(*s, k.figure);
  if (v.empty() || v.size() != s->reps.size() ||
      std::any_of(v.begin(), v.end(), [](auto& x) { return x.second <= 0; }))
    return std::nullopt;
  return median(values_only(v));
}

// The cases the model has a cell for but did not complete, counted by verdict.
std::vector<std::pair<std::string, std::size_t>> not_completed(const ranking& k,
                                                               const std::string& model) {
  std::vector<std::pair<std::string, std::size_t>> out;
  for (const auto& c : k.w.cases) {
    const summary* s = k.w.find(model, c);
    if (!s || completed_value(k, model, c)) continue;
    const std::string v = s->passed() ? std::string(without_figure) : s->verdict();
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& x) { return x.first == v; });
    if (it == out.end()) it = out.insert(out.end(), {v, 0});
    ++it->second;
  }
  return out;
}

// The geometric mean over the cases of the model's figure over the lowest model's on each.
double score(const ranking& k, const std::string& model, const std::vector<std::string>& models) {
  double log_sum = 0;
  int n = 0;
  for (const auto& c : k.w.cases) {
    const auto t = completed_value(k, model, c);
    if (!t) continue;
    double fastest = *t;
    for (const auto& m : models)
      if (const auto u = completed_value(k, m, c)) fastest = std::min(fastest, *u);
    log_sum += std::log(*t / fastest);
    ++n;
  }
  return std::exp(log_sum / n);
}

std::size_t completed_count(const ranking& k, const std::string& model) {
  return static_cast<std::size_t>(std::count_if(k.w.cases.begin(), k.w.cases.end(), [&](auto& c) {
    return completed_value(k, model, c).has_value();
  }));
}

// The runs of each case both models completed, paired by round where the indexes allow (as
// ratio_of pairs them): the strata of the geometric mean of `model` over `reference`.
struct shared_runs {
  std::vector<std::pair<std::vector<double>, std::vector<double>>> runs;
  std::vector<stats::ratio_stratum> strata;  // into runs
  std::size_t fewest = 0;                    // runs of the case with the fewest
};

shared_runs shared_cases(const ranking& k, const std::string& model, const std::string& reference) {
  shared_runs out;
  out.runs.reserve(k.w.cases.size());  // strata point into it
  for (const auto& c : k.w.cases) {
    if (!completed_value(k, model, c) || !completed_value(k, reference, c)) continue;
    const auto a = figure_values(*k.w.find(model, c), k.figure);
    const auto b = figure_values(*k.w.find(reference, c), k.figure);
    const auto pairs = paired_values(a, b);
    out.runs.push_back(pairs ? *pairs : std::pair{values_only(a), values_only(b)});
    const auto& [x, y] = out.runs.back();
    out.strata.push_back({x, y, pairs.has_value()});
    const std::size_t n = std::min(x.size(), y.size());
    out.fewest = out.strata.size() == 1 ? n : std::min(out.fewest, n);
  }
  return out;
}

// The geometric mean's point estimate alone (one resample: the interval is not wanted).
std::optional<double> relative_estimate(const ranking& k, const std::string& model,
                                        const std::string& reference) {
  const auto shared = shared_cases(k, model, reference);
  if (shared.strata.empty()) return std::nullopt;
  return stats::bootstrap_geometric_mean(shared.strata, {.resamples = 1}).estimate;
}

std::optional<std::string> best_of(const ranking& k, const std::vector<std::string>& models) {
  std::optional<std::string> best;
  std::size_t most = 0;
  double best_score = 0;
  for (const auto& m : models) {
    const std::size_t n = completed_count(k, m);
    if (n == 0 || n < most) continue;
    const double s = score(k, m, models);
    if (n > most || s < best_score) best = m, most = n, best_score = s;
  }
  if (!best) return best;
  // Over the same cases the score orders the models as the table's ratios of medians do. Models
  // that completed as many cases but not the same ones compare on the cases they share, where
  // the order can differ: the table's figure decides, no such model is below 1x of the best.
  for (std::size_t step = 0; step < models.size(); ++step) {
    const auto better = std::find_if(models.begin(), models.end(), [&](const std::string& m) {
      if (m == *best || completed_count(k, m) < most) return false;
      const auto r = relative_estimate(k, m, *best);
      return r && *r < 1;
    });
    if (better == models.end()) break;
    best = *better;
  }
  return best;
}

// The model against the best over the cases both completed; the best stands alone.
standing stand(const ranking& k, const std::string& model, const std::optional<std::string>& best) {
  standing out{.model = model,
               .best = model == best,
               .completed = completed_count(k, model),
               .not_completed = not_completed(k, model)};
  if (!best || out.best) return out;
  const auto shared = shared_cases(k, model, *best);
  out.shared = shared.strata.size();
  out.runs = shared.fewest;
  if (!shared.strata.empty()) out.relative = stats::bootstrap_geometric_mean(shared.strata);
  return out;
}

}  // namespace

const standing* workload_standings::find(const std::string& model) const {
  for (const auto* list : {&models, &programs})
    for (const auto& s : *list)
      if (s.model == model) return &s;
  return nullptr;
}

standing relative_to(const workload_cells& w, const merit::figure& f, const std::string& model,
                     const std::string& reference) {
  return stand({w, f}, model, reference);
}

workload_standings standings(const workload_cells& w, const merit::declaration& d) {
  workload_standings out{.workload = w.name, .cases = w.cases.size(), .merit = d};
  const ranking k{w, d.primary};
  // The external programs and the course's Python are set beside the models, never ranked.
  const auto beside = [&](const std::string& m) {
    return w.is_program(m) || w.counterparts.contains(m);
  };
  std::vector<std::string> models;
  for (const auto& m : w.models)
    if (!beside(m) && m != d.floor) models.push_back(m);
  out.best = best_of(k, models);
  for (const auto& m : w.models) {
    auto s = stand(k, m, out.best);
    s.floor = m == d.floor;
    (beside(m) ? out.programs : out.models).push_back(std::move(s));
  }
  return out;
}

std::string human_time(double s) {
  // Rounded to the digits shown before the unit is chosen: 999.96 µs is "1 ms", not "1e+03 µs".
  s = std::stod(fmt::format("{:.3g}", s));
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
