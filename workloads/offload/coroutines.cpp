// coroutines: a coroutine per call on one thread, each calling the blocking function directly:
// every call blocks the loop, so the calls run one after another and the heartbeat stalls.
#include "models/coroutines.hpp"
#include "workloads/offload/on_loop.hpp"

namespace concur::offload {

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  on_loop s;
  result r;
  r.values = coroutines::run([&]() -> coroutines::task<std::vector<std::uint64_t>> {
    std::vector<coroutines::task<std::uint64_t>> calls;
    for (std::size_t i = 0; i < p.calls; ++i) calls.push_back(blocking_call(i, p.delay, r.calls));
    co_return co_await s.gather(std::move(calls));
  });
  return s.finish(std::move(r));
}

}  // namespace concur::offload
