// tbb: a task per sleep in a task_group; each blocking sleep holds one of the arena's threads.
#include <thread>

#include "models/tbb.hpp"
#include "workloads/sleep/sleep.hpp"

namespace concur::sleep {

template <>
result workload::run(models::tbb_model, const params& p, const models::config& config) {
  tally work;
  std::vector<std::uint64_t> values(p.tasks);
  tbb_model::run_in_arena(config.worker_threads, [&] {
    tbb_model::task_group group;
    for (std::size_t i = 0; i < p.tasks; ++i) {
      group.run([&, i] {
        ++work.started;
        std::this_thread::sleep_for(p.delay);
        ++work.finished;
        values[i] = value_of(i);
      });
    }
    group.wait();
  });
  return work.into(std::move(values));
}

}  // namespace concur::sleep
