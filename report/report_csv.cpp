// results.csv: one long-format row per workload x model x case x repetition. `schedule` says what
// the repetition index is: the round, when the bench ran interleaved rounds (rows of two cells
// with the same index ran side by side, so ratios pair them), or a back-to-back repetition.
#include <fmt/format.h>

#include "report/csv.hpp"
#include "report/report_summary.hpp"

namespace concur::report {
namespace {

using detail::csv_number;

// The workload's own figures in one field: "name=value;name=value".
std::string csv_metrics(const row& x) {
  std::string metrics;
  for (const auto& [k, v] : x.metrics)
    metrics += fmt::format("{}{}={:.6g}", metrics.empty() ? "" : ";", k, v);
  return metrics;
}

}  // namespace

std::string to_csv(const results& r) {
  std::string out =
      "workload,model,case,repetition,verdict,oracle,real_time_s,process_cpu_s,items_per_second,"
      "ideal_s,efficiency,cpu_util,peak_rss_growth_bytes,bytes_per_item,iterations,metrics,"
      "settings,detail,schedule\n";
  const char* schedule =
      detail::schedule_of(r) == detail::schedule::rounds ? "rounds" : "back_to_back";
  for (const auto& x : r.rows) {
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv::field(x.workload),
        csv::field(x.model), csv::field(x.case_name), x.repetition, x.verdict, csv::field(x.oracle),
        csv_number(x.real_s), csv_number(x.process_cpu_s), csv_number(x.items_per_second),
        csv_number(x.ideal_s), csv_number(x.efficiency), csv_number(x.cpu_util),
        csv_number(x.peak_rss_growth_bytes), csv_number(x.bytes_per_item), x.iterations,
        csv::field(csv_metrics(x)), csv::field(x.settings), csv::field(x.detail), schedule);
  }
  return out;
}

}  // namespace concur::report
