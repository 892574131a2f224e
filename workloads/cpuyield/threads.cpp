// threads: the computation on the calling thread and the heartbeat on a std::jthread of its own;
// the OS preempts, so yielding (std::this_thread::yield) is only a hint.
#include <atomic>
#include <thread>

#include "models/threads.hpp"
#include "workloads/cpuyield/cpuyield.hpp"

namespace concur::cpuyield {

template <>
result workload::run(models::threads_model, const params& p, const models::config&) {
  const double solo = solo_ms_per_step(p.iterations);
  heartbeat_log beats;
  result r;
  std::chrono::steady_clock::duration compute_time{};
  {
    threads::task_group heart(1);
    heart.spawn([&](std::stop_token stop) {
      beats.tick();
      while (!stop.stop_requested()) {
        std::this_thread::sleep_for(p.period);
        beats.tick();
      }
    });
    const auto start = std::chrono::steady_clock::now();
    for (sliced_chain chain(p, r); chain.next_slice();) std::this_thread::yield();
    compute_time = std::chrono::steady_clock::now() - start;
    heart.request_stop();
    heart.join();
  }
  measure(r, beats, compute_time, solo);
  return r;
}

}  // namespace concur::cpuyield
