// executor: coroutines on the loop thread await blocking calls on the pool; cancelling the
// awaiting coroutine requests stop on the call's std::stop_token and waits for the call to end.
#include "models/executor_control.hpp"
#include "models/threads_control.hpp"
#include "workloads/techniques/techniques.hpp"

namespace concur::techniques {
namespace {

executor::task<int> long_task(boost::asio::thread_pool& pool, clock::time_point& ended) {
  auto call = [&ended](std::stop_token stop) {
    struct on_exit {
      clock::time_point& at;
      ~on_exit() { at = clock::now(); }
    } guard{ended};
    threads::sleep_for(forever, stop);
    return -1;
  };
  co_return co_await executor::run_in_executor_stoppable(pool, std::move(call));
}

executor::task<int> gather_task(boost::asio::thread_pool& pool, std::size_t i) {
  auto call = [i](std::stop_token stop) -> int {
    threads::sleep_for(gather_delay(i), stop);
    if (gather_fails(i)) throw std::runtime_error(gather_error(i));
    return gather_values[i];
  };
  co_return co_await executor::run_in_executor_stoppable(pool, std::move(call));
}

executor::task<int> poll_task(boost::asio::thread_pool& pool, std::chrono::milliseconds d) {
  auto call = [d](std::stop_token stop) {
    threads::sleep_for(d, stop);
    return 1;
  };
  co_return co_await executor::run_in_executor_stoppable(pool, std::move(call));
}

executor::task<void> scenarios(boost::asio::thread_pool& pool, const params& p, result& r) {
  auto ex = co_await boost::asio::this_coro::executor;
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    auto task = loop::spawn(ex, long_task(pool, ended));
    co_await executor::sleep_for(p.cancel_after);
    const auto request = clock::now();
    task.cancel();
    try {
      co_await task.result();
    } catch (const task_cancelled&) {
      ++r.cancelled;
    }
    if (ended != clock::time_point{}) ++r.cleaned_up;
    r.cancel_latency_us.push_back(micros(ended - request));
  }
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    const auto deadline = clock::now() + p.timeout;
    const auto value = co_await loop::wait_for(long_task(pool, ended), p.timeout);
    if (!value) ++r.timed_out;
    r.timeout_overshoot_us.push_back(micros(clock::now() - deadline));
  }
  {
    auto task = loop::spawn(ex, poll_task(pool, p.poll_task));
    const auto cpu = thread_cpu_time();
    const auto start = clock::now();
    while (!task.done()) co_await executor::sleep_for(std::chrono::milliseconds(1));
    r.poll_wall_ms = micros(clock::now() - start) / 1000;
    r.poll_cpu_ms = micros(thread_cpu_time() - cpu) / 1000;
    const int value = co_await task.result();
    r.polled += static_cast<std::size_t>(value);
  }
  std::vector<executor::task<int>> tasks, more;
  for (std::size_t i = 0; i < gather_tasks; ++i) {
    tasks.push_back(gather_task(pool, i));
    more.push_back(gather_task(pool, i));
  }
  try {
    co_await loop::gather_first_error(std::move(tasks));
  } catch (const std::exception& e) {
    r.first_error = e.what();
  }
  const auto outcomes = co_await loop::gather_collect(std::move(more));
  r.collected = describe(outcomes);
}

}  // namespace

template <>
result workload::run(models::executor_model, const params& p, const models::config& config) {
  result r;
  executor::event_loop loop(config.pool_threads);
  loop.run([&]() -> executor::task<void> { co_await scenarios(loop.pool(), p, r); });
  return r;
}

}  // namespace concur::techniques
