// executor: a coroutine per call on the loop thread awaits the blocking call on the pool
// (loop.run_in_executor); a heartbeat on the loop keeps ticking, since the loop never blocks.
#include "models/executor.hpp"
#include "models/loop_control.hpp"
#include "workloads/offload/offload.hpp"

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
  result r;
  heartbeat_log beats;
  bool stop = false;
  r.values = loop.run([&]() -> executor::task<std::vector<std::uint64_t>> {
    auto ex = co_await boost::asio::this_coro::executor;
    auto beat = loop::spawn(ex, loop::heartbeat(std::chrono::milliseconds(1), stop, beats));
    std::vector<executor::task<std::uint64_t>> calls;
    for (std::size_t i = 0; i < p.calls; ++i) calls.push_back(call(loop.pool(), i, p, r.calls));
    auto values = co_await executor::gather(std::move(calls));
    stop = true;
    co_await beat.result();
    co_return values;
  });
  r.loop_worst_gap_ms = beats.worst_gap_ms();
  r.loop_p99_gap_ms = beats.gap_percentile_ms(99);
  return r;
}

}  // namespace concur::offload
