#pragma once
// The task techniques as a workload, measured: `rounds` times, cancel a long task mid-flight
// (latency: from the cancel request to the end of the task's clean-up) and wait_for a long task
// with a deadline (overshoot: from the deadline to wait_for's return); poll a task until done()
// (the poller's CPU time); and gather tasks of which two fail, in "first error" and "collect"
// modes. The answer (what ended how, the errors and values in task order) is the same in every
// model; the latencies are measured figures.
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/workload.hpp"
#include "models/models.hpp"
#include "models/outcome.hpp"

namespace concur::techniques {

struct params {
  std::size_t rounds;
  std::chrono::microseconds cancel_after;  // how long a task runs before it is cancelled
  std::chrono::milliseconds timeout;       // wait_for's deadline
  std::chrono::milliseconds poll_task;     // how long the polled task takes
};

using clock = std::chrono::steady_clock;

// The long task: it would run this long if nothing stopped it.
inline constexpr std::chrono::seconds forever{30};

struct result {
  std::size_t cancelled = 0;           // long tasks that ended by cancellation
  std::size_t cleaned_up = 0;          // and whose clean-up ran
  std::size_t timed_out = 0;           // wait_for calls that returned at their deadline
  std::size_t polled = 0;              // polled tasks that ended with their value
  std::string first_error;             // gather, first-error mode
  std::vector<std::string> collected;  // gather, collect mode: each value or error, in task order
  // Measured, not compared:
  std::vector<double> cancel_latency_us, timeout_overshoot_us;
  double poll_cpu_ms = 0, poll_wall_ms = 0;
  bool operator==(const result& o) const {
    return cancelled == o.cancelled && cleaned_up == o.cleaned_up && timed_out == o.timed_out &&
           polled == o.polled && first_error == o.first_error && collected == o.collected;
  }
};

// The gather scenario, the same in every model: four tasks; task 1 fails after 1 ms, task 3 after
// 20 ms, tasks 0 and 2 return 10 and 12 after 2 and 0 ms. In first-error mode task 3 is cancelled
// (or never runs), in collect mode it fails too. (An arena of 1 runs tbb's tasks last-in first:
// task 3 would fail first there.)
inline constexpr int gather_values[] = {10, 0, 12, 0};
inline std::chrono::milliseconds gather_delay(std::size_t i) {
  constexpr int ms[] = {2, 1, 0, 20};
  return std::chrono::milliseconds(ms[i]);
}
inline bool gather_fails(std::size_t i) {
  return i == 1 || i == 3;
}
inline std::string gather_error(std::size_t i) {
  return "task " + std::to_string(i) + " failed";
}
inline constexpr std::size_t gather_tasks = 4;
// How the collected results name task i's outcome (describe's words).
inline std::string gather_described(std::size_t i) {
  return gather_fails(i) ? "error: " + gather_error(i) : std::to_string(gather_values[i]);
}

// The gather scenario's tasks in a model's form: make(i) for each, in task order.
template <class Make>
auto gather_list(Make make) {
  std::vector<decltype(make(std::size_t{}))> tasks;
  for (std::size_t i = 0; i < gather_tasks; ++i) tasks.push_back(make(i));
  return tasks;
}

std::vector<std::string> describe(const std::vector<outcome<int>>& outcomes);
double micros(clock::duration d);
// The calling thread's CPU time.
clock::duration thread_cpu_time();

// The long task's clean-up: stamps the moment the task ends, however it ends.
struct clean_up {
  clock::time_point& ended;
  ~clean_up() { ended = clock::now(); }
};

// One cancel round's figures: whether the task ended cancelled, whether its clean-up ran, and the
// latency from the request to the clean-up (to now, should it never have run).
void count_cancel(result& r, bool cancelled, clock::time_point request, clock::time_point ended);
// One wait_for round's figures: whether it timed out, and how late after the deadline it returned.
void count_timeout(result& r, bool timed_out, clock::time_point deadline);

// The poller's wall and CPU time, from construction to stop().
class poll_clock {
 public:
  void stop(result& r) const;

 private:
  clock::duration cpu_ = thread_cpu_time();
  clock::time_point start_ = clock::now();
};

// The figures a run measures beside its answer (its counters' names), those its merit names.
namespace figures {
inline constexpr std::string_view cancel_median_us = "cancel_median_us";
inline constexpr std::string_view timeout_overshoot_median_us = "timeout_overshoot_median_us";
}  // namespace figures

struct workload : workload_base<params, result> {
  static constexpr std::string_view name = "techniques";

  static std::vector<case_def<params>> cases();
  // The question: how soon does a cancel land, and how far past its deadline does a timeout fire.
  static merit::declaration merit() {
    using merit::quantity;
    return {.primary = {.of = quantity::metric,
                        .metric = std::string(figures::cancel_median_us),
                        .unit = "µs",
                        .title = "cancel latency (median)"},
            .costs = {{.of = quantity::metric,
                       .metric = std::string(figures::timeout_overshoot_median_us),
                       .unit = "µs",
                       .title = "timeout overshoot (median)"},
                      {.of = quantity::wall_time}}};
  }
  static std::string describe_diff(const result& expected, const result& actual);
  static result reference(const params& p);
  static double ideal_seconds(const params& p, models::in_flight);
  static double items(const params& p) { return static_cast<double>(2 * p.rounds); }
  static concur::metrics metrics(const result& r);

  // One per model, each an explicit specialization in the model's own file (threads.cpp, ...).
  template <models::model M>
  static result run(M, const params&, const models::config&);
};

}  // namespace concur::techniques
