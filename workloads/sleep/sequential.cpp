// sequential: one task after another on the calling thread; each sleep blocks it.
#include <thread>

#include "workloads/sleep/sleep.hpp"

namespace concur::sleep {

template <>
result workload::run(models::sequential_model, const params& p, const models::config&) {
  tally work;
  std::vector<std::uint64_t> values;
  values.reserve(p.tasks);
  for (std::size_t i = 0; i < p.tasks; ++i) {
    ++work.started;
    std::this_thread::sleep_for(p.delay);
    ++work.finished;
    values.push_back(value_of(i));
  }
  return work.into(std::move(values));
}

}  // namespace concur::sleep
