// executor: coroutines on the loop thread await blocking calls on the pool; cancelling the
// awaiting coroutine requests stop on the call's std::stop_token and waits for the call to end.
#include "models/executor_control.hpp"
#include "models/threads_control.hpp"
#include "workloads/techniques/on_loop.hpp"

namespace concur::techniques {
namespace {

// A task is a coroutine awaiting a blocking call on the pool; cancelled, it requests stop on the
// call's std::stop_token and the call ends with task_cancelled. (Each call is a named local:
// see run_in_executor.)
struct pool_tasks {
  using cancelled = task_cancelled;
  boost::asio::thread_pool& pool;

  executor::task<int> long_task(clock::time_point& ended) const {
    auto call = [&ended](std::stop_token stop) {
      const clean_up stamp{ended};
      threads::sleep_for(forever, stop);
      return -1;
    };
    co_return co_await executor::run_in_executor_stoppable(pool, std::move(call));
  }

  executor::task<int> poll_task(std::chrono::milliseconds d) const {
    auto call = [d](std::stop_token stop) {
      threads::sleep_for(d, stop);
      return 1;
    };
    co_return co_await executor::run_in_executor_stoppable(pool, std::move(call));
  }

  executor::task<int> gather_task(std::size_t i) const {
    auto call = [i](std::stop_token stop) -> int {
      threads::sleep_for(gather_delay(i), stop);
      if (gather_fails(i)) throw std::runtime_error(gather_error(i));
      return gather_values[i];
    };
    co_return co_await executor::run_in_executor_stoppable(pool, std::move(call));
  }
};

}  // namespace

template <>
result workload::run(models::executor_model, const params& p, const models::config& config) {
  result r;
  executor::event_loop loop(config.pool_threads);
  const pool_tasks tasks{loop.pool()};
  loop.run([&]() -> executor::task<void> { co_await on_loop::scenarios(tasks, p, r); });
  return r;
}

}  // namespace concur::techniques
