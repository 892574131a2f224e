#pragma once
// The JSON context of a run (Google Benchmark's "context" object): what the report needs to know
// of the run beside its rows, each key from vocabulary::context.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bench/driver.hpp"
#include "bench/matrix.hpp"
#include "core/environment.hpp"

namespace concur::bench {

void add_context(std::string_view key, const std::string& value);
void add_context(const key_values& pairs);

// Everything known before the rounds start: the environment, the rounds' settings, the case
// kinds, the allocator, the machine's facts and calibration. share_s: a cell's share of the budget.
void add_start_context(const timing_options& opts, double share_s, const std::vector<cell>& cells,
                       const options& matrix_opts);

// What the rounds came to, known at the end.
struct rounds_outcome {
  std::size_t rounds_done = 0;
  std::string_view stopped_by;
  double timing_s = 0;
  std::string cell_stops;         // "why n; why n" over the cells
  std::string spent_by_workload;  // "workload seconds; ..." (rounds_spent_by_workload_s)
};
void add_end_context(const rounds_outcome& outcome);

}  // namespace concur::bench
