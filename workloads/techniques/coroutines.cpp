// coroutines: every task a coroutine on one thread; cancel() emits an Asio cancellation signal
// that ends the task's pending timer wait at once, and wait_for races the task against a timer.
#include "models/coroutines.hpp"
#include "models/loop_control.hpp"
#include "workloads/techniques/techniques.hpp"

namespace concur::techniques {
namespace {

coroutines::task<int> long_task(clock::time_point& ended) {
  struct on_exit {
    clock::time_point& at;
    ~on_exit() { at = clock::now(); }
  } guard{ended};
  co_await coroutines::sleep_for(forever);
  co_return -1;
}

coroutines::task<int> gather_task(std::size_t i) {
  co_await coroutines::sleep_for(gather_delay(i));
  if (gather_fails(i)) throw std::runtime_error(gather_error(i));
  co_return gather_values[i];
}

coroutines::task<void> scenarios(const params& p, result& r) {
  auto ex = co_await boost::asio::this_coro::executor;
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    auto task = loop::spawn(ex, long_task(ended));
    co_await coroutines::sleep_for(p.cancel_after);
    const auto request = clock::now();
    task.cancel();
    try {
      co_await task.result();
    } catch (const boost::system::system_error&) {
      ++r.cancelled;
    }
    if (ended != clock::time_point{}) ++r.cleaned_up;
    r.cancel_latency_us.push_back(micros(ended - request));
  }
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    const auto deadline = clock::now() + p.timeout;
    const auto value = co_await loop::wait_for(long_task(ended), p.timeout);
    if (!value) ++r.timed_out;
    r.timeout_overshoot_us.push_back(micros(clock::now() - deadline));
  }
  {
    auto task = loop::spawn(ex, [](std::chrono::milliseconds d) -> coroutines::task<int> {
      co_await coroutines::sleep_for(d);
      co_return 1;
    }(p.poll_task));
    const auto cpu = thread_cpu_time();
    const auto start = clock::now();
    while (!task.done()) co_await coroutines::sleep_for(std::chrono::milliseconds(1));
    r.poll_wall_ms = micros(clock::now() - start) / 1000;
    r.poll_cpu_ms = micros(thread_cpu_time() - cpu) / 1000;
    const int value = co_await task.result();
    r.polled += static_cast<std::size_t>(value);
  }
  std::vector<coroutines::task<int>> tasks, more;
  for (std::size_t i = 0; i < gather_tasks; ++i) {
    tasks.push_back(gather_task(i));
    more.push_back(gather_task(i));
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
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  result r;
  coroutines::run([&]() -> coroutines::task<void> { co_await scenarios(p, r); });
  return r;
}

}  // namespace concur::techniques
