// threads: a std::jthread per call, all blocked at once; the caller blocks in join().
#include <atomic>

#include "models/threads.hpp"
#include "workloads/offload/offload.hpp"

namespace concur::offload {

template <>
result workload::run(models::threads_model, const params& p, const models::config&) {
  std::vector<std::uint64_t> values(p.calls);
  std::atomic<std::size_t> calls{0};
  threads::task_group group(p.calls);
  for (std::size_t i = 0; i < p.calls; ++i) {
    group.spawn([&, i] {
      values[i] = sundial(i, p.delay);
      ++calls;
    });
  }
  group.join();
  return {.values = std::move(values), .calls = calls};
}

}  // namespace concur::offload
