// tbb: each task in a task_group of its own in an arena; the caller cancels the group
// (task_group::cancel) and the task sees it at its next check, every 1 ms slice of its sleep.
#include <atomic>

#include "models/tbb_control.hpp"
#include "workloads/techniques/blocking.hpp"

namespace concur::techniques {
namespace {

std::function<int()> long_task(clock::time_point& ended, std::atomic<bool>* started = nullptr) {
  return [&ended, started] {
    if (started) *started = true;
    const clean_up stamp{ended};
    tbb_model::sleep_for(forever);
    return -1;
  };
}

std::function<int()> poll_task(std::chrono::milliseconds d) {
  return [d] {
    tbb_model::sleep_for(d);
    return 1;
  };
}

std::function<int()> gather_task(std::size_t i) {
  return [i]() -> int {
    tbb_model::sleep_for(gather_delay(i));
    if (gather_fails(i)) throw std::runtime_error(gather_error(i));
    return gather_values[i];
  };
}

}  // namespace

template <>
result workload::run(models::tbb_model, const params& p, const models::config& config) {
  result r;
  const unsigned threads = config.worker_threads;
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    std::atomic<bool> started{false};
    tbb_model::async_task<int> task(threads, long_task(ended, &started));
    // Mid-flight: a task_group task cancelled before it starts never runs at all.
    while (!started) std::this_thread::sleep_for(std::chrono::microseconds(100));
    blocking::cancel_mid_flight(task, p.cancel_after, ended, r);
  }
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    tbb_model::async_task<int> task(threads, long_task(ended));
    blocking::time_out(task, p.timeout, r);
  }
  {
    tbb_model::async_task<int> task(threads, poll_task(p.poll_task));
    blocking::poll(task, r);
  }
  r.first_error = blocking::first_error(
      [&] { tbb_model::gather_first_error(threads, gather_list(gather_task)); });
  r.collected = describe(tbb_model::gather_collect(threads, gather_list(gather_task)));
  return r;
}

}  // namespace concur::techniques
