// fibers: a fiber per task on one thread, each blocking on a timer (timer.async_wait(yield));
// the owner fiber waits for them all.
#include "models/fibers.hpp"
#include "workloads/sleep/sleep.hpp"

namespace concur::sleep {

template <>
result workload::run(models::fibers_model, const params& p, const models::config&) {
  tally work;
  std::vector<std::uint64_t> values(p.tasks);
  fibers::run([&](fibers::yield_context yield) {
    fibers::group tasks(yield, p.tasks);
    for (std::size_t i = 0; i < p.tasks; ++i) {
      tasks.spawn([&, i](fibers::yield_context yield) {
        ++work.started;
        fibers::sleep_for(p.delay, yield);
        ++work.finished;
        values[i] = value_of(i);
      });
    }
    tasks.wait();
  });
  return work.into(std::move(values));
}

}  // namespace concur::sleep
