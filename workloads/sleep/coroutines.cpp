// coroutines: a coroutine per task on one thread, each awaiting a timer; nothing blocks.
#include "models/coroutines.hpp"
#include "workloads/sleep/on_loop.hpp"

namespace concur::sleep {

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  tally work;
  auto values = coroutines::run([&] { return on_loop::sleepers(0, p.tasks, p.delay, work); });
  return work.into(std::move(values));
}

}  // namespace concur::sleep
