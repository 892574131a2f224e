// coroutines: the computation and the heartbeat are coroutines on one thread; the heartbeat only
// ticks when the computation yields (co_await loop::yield(), asyncio.sleep(0)), never otherwise.
#include "models/coroutines.hpp"
#include "models/loop_control.hpp"
#include "workloads/cpuyield/cpuyield.hpp"

namespace concur::cpuyield {

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  const double solo = solo_ms_per_step(p.iterations);
  heartbeat_log beats;
  result r;
  std::chrono::steady_clock::duration compute_time{};
  bool stop = false;
  coroutines::run([&]() -> coroutines::task<void> {
    auto ex = co_await boost::asio::this_coro::executor;
    auto beat = loop::spawn(ex, loop::heartbeat(p.period, stop, beats));
    co_await loop::yield();  // let the heartbeat start before the computation takes the thread
    const auto start = std::chrono::steady_clock::now();
    for (sliced_chain chain(p, r); chain.next_slice();) co_await loop::yield();
    compute_time = std::chrono::steady_clock::now() - start;
    stop = true;
    co_await beat.result();
  });
  measure(r, beats, compute_time, solo);
  return r;
}

}  // namespace concur::cpuyield
