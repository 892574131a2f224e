// coroutines: every task a coroutine on one thread; cancel() emits an Asio cancellation signal
// that ends the task's pending timer wait at once, and wait_for races the task against a timer.
#include <boost/system/system_error.hpp>

#include "models/coroutines.hpp"
#include "workloads/techniques/on_loop.hpp"

namespace concur::techniques {
namespace {

// A task is a coroutine whose waits are timers on the loop; cancelled, its pending wait ends with
// operation_aborted.
struct coroutine_tasks {
  using cancelled = boost::system::system_error;

  static coroutines::task<int> long_task(clock::time_point& ended) {
    const clean_up stamp{ended};
    co_await coroutines::sleep_for(forever);
    co_return -1;
  }

  static coroutines::task<int> poll_task(std::chrono::milliseconds d) {
    co_await coroutines::sleep_for(d);
    co_return 1;
  }

  static coroutines::task<int> gather_task(std::size_t i) {
    co_await coroutines::sleep_for(gather_delay(i));
    if (gather_fails(i)) throw std::runtime_error(gather_error(i));
    co_return gather_values[i];
  }
};

}  // namespace

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  result r;
  const coroutine_tasks tasks;
  coroutines::run([&]() -> coroutines::task<void> { co_await on_loop::scenarios(tasks, p, r); });
  return r;
}

}  // namespace concur::techniques
