// executor: a coroutine per call on the loop thread awaits the blocking call on the pool
// (loop.run_in_executor); a heartbeat on the loop keeps ticking, since the loop never blocks.
#include "models/executor.hpp"
#include "workloads/offload/on_loop.hpp"

namespace concur::offload {
namespace {

executor::task<std::uint64_t> call(boost::asio::thread_pool& pool, std::size_t i, const params& p,
                                   std::size_t& calls) {
  const std::uint64_t v =
      co_await executor::run_in_executor(pool, [i, d = p.delay] { return sundial(i, d); });
  ++calls;
  co_return v;
}

}  // namespace

template <>
result workload::run(models::executor_model, const params& p, const models::config& config) {
  executor::event_loop loop(config.pool_threads);
  on_loop s;
  result r;
  r.values = loop.run([&]() -> executor::task<std::vector<std::uint64_t>> {
    std::vector<executor::task<std::uint64_t>> calls;
    for (std::size_t i = 0; i < p.calls; ++i) calls.push_back(call(loop.pool(), i, p, r.calls));
    co_return co_await s.gather(std::move(calls));
  });
  return s.finish(std::move(r));
}

}  // namespace concur::offload
