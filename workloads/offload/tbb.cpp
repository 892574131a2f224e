// tbb: a task per call in a task_group; each blocking call holds one of the arena's threads.
#include <atomic>

#include "models/tbb.hpp"
#include "workloads/offload/offload.hpp"

namespace concur::offload {

template <>
result workload::run(models::tbb_model, const params& p, const models::config& config) {
  std::vector<std::uint64_t> values(p.calls);
  std::atomic<std::size_t> calls{0};
  tbb_model::run_in_arena(config.worker_threads, [&] {
    tbb_model::task_group group;
    for (std::size_t i = 0; i < p.calls; ++i) {
      group.run([&, i] {
        values[i] = sundial(i, p.delay);
        ++calls;
      });
    }
    group.wait();
  });
  return {.values = std::move(values), .calls = calls};
}

}  // namespace concur::offload
