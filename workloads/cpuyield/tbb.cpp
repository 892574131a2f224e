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
  measurement measured(p);
  result r;
  std::atomic<bool> done{false};
  tbb_model::run_in_arena(config.worker_threads, [&] {
    tbb_model::task_group group;
    group.run([&] {
      measured.computation_starts();
      for (sliced_chain chain(p, r); chain.next_slice();) std::this_thread::yield();
      measured.computation_ends();
      done = true;
    });
    measured.beats.tick();
    while (!done) {
      std::this_thread::sleep_for(p.period);
      measured.beats.tick();
    }
    group.wait();
  });
  return measured.finish(std::move(r));
}

}  // namespace concur::cpuyield
