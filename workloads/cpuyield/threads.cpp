// threads: the computation on the calling thread and the heartbeat on a std::jthread of its own;
// the OS preempts, so yielding (std::this_thread::yield) is only a hint.
#include <atomic>
#include <thread>

#include "models/threads.hpp"
#include "workloads/cpuyield/cpuyield.hpp"

namespace concur::cpuyield {

template <>
result workload::run(models::threads_model, const params& p, const models::config&) {
  measurement measured(p);
  result r;
  {
    threads::task_group heart(1);
    heart.spawn([&](std::stop_token stop) {
      measured.beats.tick();
      while (!stop.stop_requested()) {
        std::this_thread::sleep_for(p.period);
        measured.beats.tick();
      }
    });
    measured.computation_starts();
    for (sliced_chain chain(p, r); chain.next_slice();) std::this_thread::yield();
    measured.computation_ends();
    heart.request_stop();
    heart.join();
  }
  return measured.finish(std::move(r));
}

}  // namespace concur::cpuyield
