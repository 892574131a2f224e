// executor: the heartbeat is a coroutine on the loop thread; the computation runs on the pool
// (run_in_executor), so it cannot hold up the loop; its yields (std::this_thread::yield) are hints.
#include <thread>

#include "models/executor.hpp"
#include "models/loop_control.hpp"
#include "workloads/cpuyield/cpuyield.hpp"

namespace concur::cpuyield {

template <>
result workload::run(models::executor_model, const params& p, const models::config& config) {
  const double solo = solo_ms_per_step(p.iterations);
  heartbeat_log beats;
  result r;
  std::chrono::steady_clock::duration compute_time{};
  bool stop = false;
  executor::event_loop loop(config.pool_threads);
  loop.run([&]() -> executor::task<void> {
    auto ex = co_await boost::asio::this_coro::executor;
    auto beat = loop::spawn(ex, loop::heartbeat(p.period, stop, beats));
    co_await loop::yield();
    const auto start = std::chrono::steady_clock::now();
    r = co_await executor::run_in_executor(loop.pool(), [&p] {
      result out;
      for (sliced_chain chain(p, out); chain.next_slice();) std::this_thread::yield();
      return out;
    });
    compute_time = std::chrono::steady_clock::now() - start;
    stop = true;
    co_await beat.result();
  });
  measure(r, beats, compute_time, solo);
  return r;
}

}  // namespace concur::cpuyield
