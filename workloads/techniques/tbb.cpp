// tbb: each task in a task_group of its own in an arena; the caller cancels the group
// (task_group::cancel) and the task sees it at its next check, every 1 ms slice of its sleep.
#include <atomic>

#include "models/tbb_control.hpp"
#include "workloads/techniques/techniques.hpp"

namespace concur::techniques {
namespace {

std::function<int()> long_task(clock::time_point& ended, std::atomic<bool>* started = nullptr) {
  return [&ended, started] {
    if (started) *started = true;
    struct on_exit {
      clock::time_point& at;
      ~on_exit() { at = clock::now(); }
    } guard{ended};
    tbb_model::sleep_for(forever);
    return -1;
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
    std::this_thread::sleep_for(p.cancel_after);
    const auto request = clock::now();
    task.cancel();
    try {
      task.get();
    } catch (const task_cancelled&) {
      ++r.cancelled;
    }
    if (ended != clock::time_point{}) ++r.cleaned_up;
    r.cancel_latency_us.push_back(
        micros((ended == clock::time_point{} ? clock::now() : ended) - request));
  }
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    tbb_model::async_task<int> task(threads, long_task(ended));
    const auto deadline = clock::now() + p.timeout;
    if (!tbb_model::wait_for(task, p.timeout)) ++r.timed_out;
    r.timeout_overshoot_us.push_back(micros(clock::now() - deadline));
  }
  {
    tbb_model::async_task<int> task(threads, [d = p.poll_task] {
      tbb_model::sleep_for(d);
      return 1;
    });
    const auto cpu = thread_cpu_time();
    const auto start = clock::now();
    while (!task.done()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    r.poll_wall_ms = micros(clock::now() - start) / 1000;
    r.poll_cpu_ms = micros(thread_cpu_time() - cpu) / 1000;
    r.polled += static_cast<std::size_t>(task.get());
  }
  std::vector<std::function<int()>> tasks, more;
  for (std::size_t i = 0; i < gather_tasks; ++i) {
    tasks.push_back(gather_task(i));
    more.push_back(gather_task(i));
  }
  try {
    tbb_model::gather_first_error(threads, std::move(tasks));
  } catch (const std::exception& e) {
    r.first_error = e.what();
  }
  r.collected = describe(tbb_model::gather_collect(threads, std::move(more)));
  return r;
}

}  // namespace concur::techniques
