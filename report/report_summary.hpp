#pragma once
// Internal to the report writers (report_*.cpp): the repetitions of a cell folded into medians
// and intervals, ratios between cells with their intervals, the cells of one workload by model and
// case, and the number formats the reports share. The statistics themselves are report/stats.hpp.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/merit.hpp"
#include "report/report.hpp"
#include "report/stats.hpp"

namespace concur::report::detail {

// A cell whose coefficient of variation exceeds this is flagged as noisy.
inline constexpr double noisy_cv = 0.05;

// One figure of a cell per repetition index (= round, when the bench ran interleaved rounds),
// from the passed repetitions, in index order.
using by_repetition = std::vector<std::pair<int, double>>;

// One workload x model x case, its repetitions folded.
struct summary {
  std::vector<const row*> reps;

  by_repetition values_of(std::optional<double> row::*field) const;
  by_repetition metric_values(const std::string& name) const;
  // The wall times described: median, its order-statistic interval, n, CV, min; none untimed.
  std::optional<stats::summary> time_stats() const;
  bool noisy() const;             // CV of the wall time above noisy_above
  double noisy_above = noisy_cv;  // the run's threshold (noisy_threshold)

  std::optional<double> median_of(std::optional<double> row::*field) const;
  std::optional<double> median_metric(const std::string& name) const;
  const row& first() const { return *reps.front(); }
  bool passed() const;
  // The first repetition's verdict and detail that is not a pass; "pass" and "" when all passed.
  std::string verdict() const;
  std::string detail() const;
};

// numerator / denominator with its 95 % interval. Paired (the median of the per-round ratios and
// its order-statistic interval) when every repetition index of the side with fewer runs is also
// one of the other's, over those indexes: with interleaved rounds the two cells then ran side by
// side in each, and drift common to a round cancels (a cell that stopped early, its interval
// precise enough, has a subset of the rounds of one still running). Otherwise the bootstrap of
// the ratio of the medians.
struct ratio_estimate {
  stats::ratio value;
  bool paired = false;
  std::size_t n = 0;  // the pairs, or the smaller side's repetitions

  bool has_interval() const { return n > 1; }
  bool resolved() const { return has_interval() && !stats::no_difference_resolved(value.ci); }
};
// None when a side is empty or a denominator is not positive.
std::optional<ratio_estimate> ratio_of(const by_repetition& numerator,
                                       const by_repetition& denominator);

// The noise floor's seconds, one per round (vocabulary::context::noise_floor_runs_s); empty in a
// file without them.
std::vector<double> noise_floor_runs(const results& r);
// The noise floor's robust CV (stats::summary::robust_cv); none with fewer than two runs.
std::optional<double> noise_floor_cv(const results& r);
// The CV above which a cell is noisier than the machine: twice the noise floor's CV, or noisy_cv,
// whichever is larger (noisy_cv alone without a floor).
double noisy_threshold(const results& r);

// How the repetitions of the run were scheduled, from its context: interleaved rounds (the
// repetition index is the round; concur-bench records the rounds' seed) or back to back (each
// cell's repetitions together, as Google Benchmark's --benchmark_repetitions runs them).
enum class schedule { rounds, back_to_back };
schedule schedule_of(const results& r);

// The cells of one workload, in the order the JSON lists them.
struct workload_cells {
  std::string name;
  std::vector<std::string> cases, models;
  std::vector<std::string> programs;  // the models that are external programs
  std::vector<std::string> metrics;   // names of the figures the workload measured
  // The course's Python cells, each to the model it is set beside (row::counterpart).
  std::map<std::string, std::string> counterparts;
  std::map<std::pair<std::string, std::string>, summary> cells;  // by (model, case)

  const summary* find(const std::string& model, const std::string& case_name) const;
  bool is_program(const std::string& model) const;
};

// Every workload of the results, in order.
std::vector<workload_cells> by_workload(const results& r);

// ---- The summary at the top of report.md: who wins each workload, by how much ----

// What a passed cell that lacks the workload's figure (no event loop to time) comes to.
inline constexpr std::string_view without_figure = "–";

// One model (or external program) of a workload against the workload's best model.
struct standing {
  std::string model;
  bool best = false;
  // The workload's cases it completed: every run passed and has the figure ranked on.
  std::size_t completed = 0;
  std::size_t shared = 0;  // of those, the cases the best completed too: what `relative` covers
  // Its figure over the best's: the geometric mean over the shared cases of the per-case ratios
  // of medians,
  // with its stratified-bootstrap interval (stats::bootstrap_geometric_mean); none for the best
  // and without a shared case.
  std::optional<stats::ratio> relative;
  std::size_t runs = 0;  // the fewest runs of a shared case (1: no interval)
  // What it came to on the cases it has a cell for but did not complete: verdict (or
  // without_figure), count.
  std::vector<std::pair<std::string, std::size_t>> not_completed;
  bool floor = false;  // the workload's floor (merit::declaration::floor): shown, never ranked

  bool has_interval() const { return relative && runs > 1; }
  // Its interval contains 1: no difference from the best resolved.
  bool tie() const { return has_interval() && stats::no_difference_resolved(relative->ci); }
};

struct workload_standings {
  std::string workload;
  std::size_t cases = 0;  // the workload's cases in the results
  std::optional<std::string> best;
  std::vector<standing> models;    // in matrix order
  std::vector<standing> programs;  // external programs and the Python baselines, likewise
  merit::declaration merit;        // what they were ranked on

  const standing* find(const std::string& model) const;
};

// The best model of a workload on its figure of merit (its primary figure; wall time when the
// file declares none): among the models that completed the most cases (passed, with the figure),
// the one with the lowest geometric mean over its cases of its median over the lowest model's
// there (so that every case weighs alike whatever its size). Every other model that completed the
// same cases is then at least 1x of it: the ratios are of medians, which compose. A model that
// completed fewer cases cannot be ranked on the others. External programs, the course's Python
// and the declared floor are never the best: they are set beside it.
workload_standings standings(const workload_cells& w, const merit::declaration& d = {});

// The model against a given reference (a Python cell against its C++ counterpart) on a figure,
// over the cases both completed, as standings sets a model against the best.
standing relative_to(const workload_cells& w, const merit::figure& f, const std::string& model,
                     const std::string& reference);

bool is_pass(const row& x);

std::string human_time(double s);
std::string human_bytes(double b);
std::string md_escape(const std::string& s);
std::string csv_number(const std::optional<double>& v);  // empty when absent

}  // namespace concur::report::detail
