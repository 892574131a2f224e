// cells.csv: one row per workload x model x case, the repetitions folded as report.md folds them
// (median wall time with its 95 % order-statistic interval and that interval's actual coverage,
// n, CV, min, max; the speed-up over sequential with its interval and how it was paired). A
// separate file, so that results.csv stays one long-format row per repetition.
#include <fmt/format.h>

#include "report/csv.hpp"
#include "report/report_summary.hpp"

namespace concur::report {
namespace {

using detail::csv_number;

std::string time_columns(const std::optional<stats::summary>& t) {
  if (!t) return ",,,,,,,";
  const auto cv = t->n > 1 ? std::optional(t->cv) : std::nullopt;
  return fmt::format("{},{},{},{},{},{},{},{}", t->n, csv_number(t->median),
                     csv_number(t->median_ci.lo), csv_number(t->median_ci.hi),
                     csv_number(t->median_ci.coverage), csv_number(t->min), csv_number(t->max),
                     csv_number(cv));
}

// The sequential median over the model's, paired by repetition index where the indexes match.
std::string speed_up_columns(const detail::summary& s, const detail::summary* sequential) {
  const auto r =
      sequential ? detail::ratio_of(sequential->values_of(&row::real_s), s.values_of(&row::real_s))
                 : std::nullopt;
  if (!r) return ",,,,,";
  const auto ci = [&](double x) { return r->has_interval() ? csv_number(x) : std::string(); };
  return fmt::format("{},{},{},{},{},{}", csv_number(r->value.estimate), ci(r->value.ci.lo),
                     ci(r->value.ci.hi), ci(r->value.ci.coverage),
                     r->paired ? "paired" : "bootstrap",
                     !r->has_interval() ? "" : (r->resolved() ? "yes" : "no"));
}

std::string cell_row(const detail::workload_cells& w, const std::string& m, const std::string& c,
                     const detail::summary& s) {
  // The sequential cell is the baseline: no speed-up over itself.
  const auto* sequential = m == "sequential" ? nullptr : w.find("sequential", c);
  return fmt::format("{},{},{},{},{},{},{}\n", csv::field(w.name), csv::field(m), csv::field(c),
                     csv::field(s.verdict()), time_columns(s.time_stats()),
                     s.noisy() ? "yes" : "no", speed_up_columns(s, sequential));
}

}  // namespace

std::string to_cells_csv(const results& r) {
  std::string out =
      "workload,model,case,verdict,n,median_s,ci_low_s,ci_high_s,ci_coverage,min_s,max_s,cv,"
      "noisy,speed_up,speed_up_ci_low,speed_up_ci_high,speed_up_ci_coverage,speed_up_pairing,"
      "speed_up_resolved\n";
  for (const auto& w : detail::by_workload(r))
    for (const auto& c : w.cases)
      for (const auto& m : w.models)
        if (const auto* s = w.find(m, c)) out += cell_row(w, m, c, *s);
  return out;
}

}  // namespace concur::report
