#pragma once
// Blocking offload, from the course's sundial(): a blocking function (it sleeps `delay`, then
// returns a value from its argument) is called N times from the model's tasks. The executor model
// is its home (loop.run_in_executor); the coroutines model has no executor, so calling it blocks
// its one loop thread for every call: a heartbeat on the loop records how long the loop stalled.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/workload.hpp"
#include "models/models.hpp"

namespace concur::offload {

struct params {
  std::size_t calls;
  std::chrono::milliseconds delay;
  bool peers = false;  // time other programs doing this work beside the models on this case
};

struct result {
  std::vector<std::uint64_t> values;  // values[i] is call i's
  std::size_t calls = 0;              // work parity: blocking calls made
  double loop_worst_gap_ms = 0;       // measured (loop models): the longest the loop went unserved
  double loop_p99_gap_ms = 0;
  bool operator==(const result& o) const { return values == o.values && calls == o.calls; }
};

// The blocking call: sleeps `delay` on the calling thread, then returns a mix of i.
std::uint64_t sundial(std::size_t i, std::chrono::milliseconds delay);
std::uint64_t value_of(std::size_t i);

// The figures a run measures beside its answer (its counters' names).
namespace figures {
inline constexpr std::string_view loop_worst_gap_ms = "loop_worst_gap_ms";
inline constexpr std::string_view loop_p99_gap_ms = "loop_p99_gap_ms";
}  // namespace figures

struct workload : workload_base<params, result> {
  static constexpr std::string_view name = "offload";

  static std::vector<case_def<params>> cases();
  // The question: how long does the loop go unserved while the blocking calls run; then the time.
  static merit::declaration merit() {
    using merit::quantity;
    return {.primary = {.of = quantity::metric,
                        .metric = std::string(figures::loop_worst_gap_ms),
                        .unit = "ms",
                        .title = "the loop's worst gap"},
            .costs = {{.of = quantity::wall_time}},
            .item = "call",
            .absent_why = "runs no event loop: its blocking calls hold up nothing else"};
  }
  static std::string describe_diff(const result& expected, const result& actual);
  static result reference(const params& p);
  static double ideal_seconds(const params& p, models::in_flight limit);
  // Each call blocks the worker process it is handed to: the workers are the bound.
  static models::in_flight in_flight(models::processes_model, const models::config& c) {
    return std::max(1u, c.worker_processes);
  }
  static double items(const params& p) { return static_cast<double>(p.calls); }
  static concur::metrics metrics(const result& r) {
    if (r.loop_worst_gap_ms == 0) return {};
    return {{std::string(figures::loop_worst_gap_ms), r.loop_worst_gap_ms},
            {std::string(figures::loop_p99_gap_ms), r.loop_p99_gap_ms}};
  }

  // One per model, each an explicit specialization in the model's own file (threads.cpp, ...).
  template <models::model M>
  static result run(M, const params&, const models::config&);
};

}  // namespace concur::offload
