// coroutines: every task a coroutine on one thread; cancel() emits an Asio cancellation signal
// that ends the task's pending timer wait at once, and wait_for races the task against a timer.
#include "models/coroutines.hpp"
#include "workloads/techniques/on_loop.hpp"

namespace concur::techniques {

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  result r;
  const on_loop::coroutine_tasks tasks;
  coroutines::run([&]() -> coroutines::task<void> { co_await on_loop::scenarios(tasks, p, r); });
  return r;
}

}  // namespace concur::techniques
