// coroutines_mt: a coroutine per call, dealt round the loops, each calling the blocking function
// directly: a call blocks its own loop only, so one call per loop runs at once, and the heartbeat
// on the first loop stalls while that loop's calls run.
#include <atomic>

#include "models/coroutines_mt.hpp"
#include "workloads/offload/on_loop.hpp"

namespace concur::offload {

template <>
result workload::run(models::coroutines_mt_model, const params& p, const models::config& config) {
  coroutines_mt::event_loops loops(config.worker_threads);
  on_loop s;
  std::atomic<std::size_t> calls{0};
  result r;
  r.values = loops.run([&]() -> coroutines_mt::task<std::vector<std::uint64_t>> {
    std::vector<coroutines_mt::task<std::uint64_t>> spread;
    for (std::size_t i = 0; i < p.calls; ++i)
      spread.push_back(coroutines_mt::on(loops.executor(i), blocking_call(i, p.delay, calls)));
    co_return co_await s.gather(std::move(spread));
  });
  r.calls = calls;
  return s.finish(std::move(r));
}

}  // namespace concur::offload
