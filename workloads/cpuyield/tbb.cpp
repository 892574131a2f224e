// tbb: the computation is a task in a task_group; the heartbeat sleeps and ticks on the calling
// thread, which holds one of the arena's threads meanwhile (so the arena needs two). A running
// tbb task is never preempted by the scheduler; its yields (std::this_thread::yield) are hints.
#include <atomic>
#include <thread>

#include "models/tbb.hpp"
#include "workloads/cpuyield/cpuyield.hpp"

namespace concur::cpuyield {

template <>
result workload::run(models::tbb_model, const params& p, const models::config& config) {
  if (config.worker_threads < 2)
    throw resource_exhausted(
        "tbb: the heartbeat holds an arena thread; an arena of 1 cannot run the computation beside "
        "it");
  const double solo = solo_ms_per_step(p.iterations);
  heartbeat_log beats;
  result r;
  std::chrono::steady_clock::duration compute_time{};
  std::atomic<bool> done{false};
  tbb_model::run_in_arena(config.worker_threads, [&] {
    tbb_model::task_group group;
    group.run([&] {
      const auto start = std::chrono::steady_clock::now();
      for (sliced_chain chain(p, r); chain.next_slice();) std::this_thread::yield();
      compute_time = std::chrono::steady_clock::now() - start;
      done = true;
    });
    beats.tick();
    while (!done) {
      std::this_thread::sleep_for(p.period);
      beats.tick();
    }
    group.wait();
  });
  measure(r, beats, compute_time, solo);
  return r;
}

}  // namespace concur::cpuyield
