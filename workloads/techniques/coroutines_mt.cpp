// coroutines_mt: the scenarios on the first loop, every task a coroutine on the second, awaited
// across (co_spawn there, resumed here); a cancel reaches the task on its own loop (Asio dispatches
// the signal there), where its pending timer wait ends at once.
#include "models/coroutines_mt.hpp"
#include "workloads/techniques/on_loop.hpp"

namespace concur::techniques {
namespace {

struct tasks_elsewhere {
  using cancelled = on_loop::coroutine_tasks::cancelled;
  using tasks = on_loop::coroutine_tasks;
  coroutines_mt::executor_type there;

  coroutines_mt::task<int> long_task(clock::time_point& ended) const {
    return coroutines_mt::on(there, tasks::long_task(ended));
  }
  coroutines_mt::task<int> poll_task(std::chrono::milliseconds d) const {
    return coroutines_mt::on(there, tasks::poll_task(d));
  }
  coroutines_mt::task<int> gather_task(std::size_t i) const {
    return coroutines_mt::on(there, tasks::gather_task(i));
  }
};

}  // namespace

template <>
result workload::run(models::coroutines_mt_model, const params& p, const models::config& config) {
  coroutines_mt::event_loops loops(config.worker_threads);
  result r;
  const tasks_elsewhere tasks{loops.executor(1)};
  loops.run([&]() -> coroutines_mt::task<void> { co_await on_loop::scenarios(tasks, p, r); });
  return r;
}

}  // namespace concur::techniques
