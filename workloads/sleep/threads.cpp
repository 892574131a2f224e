// threads: a std::jthread per task, all sleeping at once; the caller blocks in join().
#include <thread>

#include "models/threads.hpp"
#include "workloads/sleep/sleep.hpp"

namespace concur::sleep {

template <>
result workload::run(models::threads_model, const params& p, const models::config&) {
  tally work;
  std::vector<std::uint64_t> values(p.tasks);
  threads::task_group group(p.tasks);
  for (std::size_t i = 0; i < p.tasks; ++i) {
    group.spawn([&, i] {
      ++work.started;
      std::this_thread::sleep_for(p.delay);
      ++work.finished;
      values[i] = value_of(i);
    });
  }
  group.join();
  return work.into(std::move(values));
}

}  // namespace concur::sleep
