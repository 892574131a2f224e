// coroutines: a coroutine per call on one thread, each calling the blocking function directly:
// every call blocks the loop, so the calls run one after another and the heartbeat stalls.
#include "models/coroutines.hpp"
#include "models/loop_control.hpp"
#include "workloads/offload/offload.hpp"

namespace concur::offload {
namespace {

coroutines::task<std::uint64_t> call(std::size_t i, const params& p, std::size_t& calls) {
  const std::uint64_t v =
      sundial(i, p.delay);  // blocks the loop thread: nothing else runs meanwhile
  ++calls;
  co_return v;
}

}  // namespace

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  result r;
  heartbeat_log beats;
  bool stop = false;
  r.values = coroutines::run([&]() -> coroutines::task<std::vector<std::uint64_t>> {
    auto ex = co_await boost::asio::this_coro::executor;
    auto beat = loop::spawn(ex, loop::heartbeat(std::chrono::milliseconds(1), stop, beats));
    std::vector<coroutines::task<std::uint64_t>> calls;
    for (std::size_t i = 0; i < p.calls; ++i) calls.push_back(call(i, p, r.calls));
    auto values = co_await coroutines::gather(std::move(calls));
    stop = true;
    co_await beat.result();
    co_return values;
  });
  r.loop_worst_gap_ms = beats.worst_gap_ms();
  r.loop_p99_gap_ms = beats.gap_percentile_ms(99);
  return r;
}

}  // namespace concur::offload
