#pragma once
// Internal to the report writers: the figures of merit each workload declared (core/merit.hpp),
// read back from the run's context, each cell's values of a figure, and how a figure reads.
#include <string>
#include <string_view>

#include "core/merit.hpp"
#include "report/report_summary.hpp"

namespace concur::report::detail {

// The workload's declaration from the run's context; a file without one (from an older
// concur-bench) ranks on wall time, as those reports did.
merit::declaration merit_of(const results& r, const std::string& workload);

// A cell's values of the figure, one per passed repetition that has it, per item where the
// figure is (the run's items: its items/s times its time), sorted by repetition.
by_repetition figure_values(const summary& s, const merit::figure& f);

// A value of the figure in its own unit: seconds for times, bytes for memory, the counter's unit
// for a metric. "67.1 ns per item", "1.21 KiB per task", "107 ms", "1.23×".
std::string figure_text(double value, const merit::figure& f, std::string_view item);
// The value alone, its unit but not "per item" (where a heading says it): "67.1 ns".
std::string figure_value(double value, const merit::figure& f);
// With the median's interval: "67.1 ns [65.2–70.3 ns] per item" ("" as item: without "per ...");
// a single run has none.
std::string figure_with_interval(const stats::summary& s, const merit::figure& f,
                                 std::string_view item);

}  // namespace concur::report::detail
