// coroutines_mt: the tasks cut into one contiguous share per loop; each loop starts its share's
// coroutines, each awaiting a timer, and gathers them; the shares joined in task order. Each
// share counts its own work, so the loops share no counter.
#include <deque>

#include "models/coroutines_mt.hpp"
#include "workloads/sleep/on_loop.hpp"

namespace concur::sleep {

template <>
result workload::run(models::coroutines_mt_model, const params& p, const models::config& config) {
  coroutines_mt::event_loops loops(config.worker_threads);
  const std::size_t n = loops.size();
  struct alignas(64) share_tally : tally {};  // a cache line each: no false sharing
  std::deque<share_tally> work(n);            // holds atomics: built in place
  auto shares = loops.run([&] {
    return loops.on_each([&](std::size_t k) {
      return on_loop::sleepers(p.tasks * k / n, p.tasks * (k + 1) / n, p.delay, work[k]);
    });
  });
  result r;
  r.values.reserve(p.tasks);
  for (std::size_t k = 0; k < n; ++k) {
    r.values.insert(r.values.end(), shares[k].begin(), shares[k].end());
    r.started += work[k].started;
    r.finished += work[k].finished;
  }
  return r;
}

}  // namespace concur::sleep
