// threads: each task on a std::jthread of its own; the caller cancels it with its stop_token
// (a condition variable wakes the task's sleep at once) and blocks in join() for its end.
#include "models/threads_control.hpp"
#include "workloads/techniques/techniques.hpp"

namespace concur::techniques {
namespace {

threads::stoppable<int> long_task(clock::time_point& ended) {
  return [&ended](std::stop_token stop) {
    struct on_exit {
      clock::time_point& at;
      ~on_exit() { at = clock::now(); }
    } guard{ended};
    threads::sleep_for(forever, stop);
    return -1;
  };
}

threads::stoppable<int> gather_task(std::size_t i) {
  return [i](std::stop_token stop) -> int {
    threads::sleep_for(gather_delay(i), stop);
    if (gather_fails(i)) throw std::runtime_error(gather_error(i));
    return gather_values[i];
  };
}

}  // namespace

template <>
result workload::run(models::threads_model, const params& p, const models::config&) {
  result r;
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    threads::future_task<int> task(long_task(ended));
    std::this_thread::sleep_for(p.cancel_after);
    const auto request = clock::now();
    task.cancel();
    try {
      task.get();
    } catch (const task_cancelled&) {
      ++r.cancelled;
    }
    if (ended != clock::time_point{}) ++r.cleaned_up;
    r.cancel_latency_us.push_back(micros(ended - request));
  }
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    threads::future_task<int> task(long_task(ended));
    const auto deadline = clock::now() + p.timeout;
    if (!threads::wait_for(task, p.timeout)) ++r.timed_out;
    r.timeout_overshoot_us.push_back(micros(clock::now() - deadline));
  }
  {
    threads::future_task<int> task([d = p.poll_task](std::stop_token stop) {
      threads::sleep_for(d, stop);
      return 1;
    });
    const auto cpu = thread_cpu_time();
    const auto start = clock::now();
    while (!task.done()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    r.poll_wall_ms = micros(clock::now() - start) / 1000;
    r.poll_cpu_ms = micros(thread_cpu_time() - cpu) / 1000;
    r.polled += static_cast<std::size_t>(task.get());
  }
  std::vector<threads::stoppable<int>> tasks, more;
  for (std::size_t i = 0; i < gather_tasks; ++i) {
    tasks.push_back(gather_task(i));
    more.push_back(gather_task(i));
  }
  try {
    threads::gather_first_error(std::move(tasks));
  } catch (const std::exception& e) {
    r.first_error = e.what();
  }
  r.collected = describe(threads::gather_collect(std::move(more)));
  return r;
}

}  // namespace concur::techniques
