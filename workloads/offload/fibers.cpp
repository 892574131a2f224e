// fibers: a fiber per call on the loop thread hands the blocking call to a pool and waits for it
// (fibers::run_in_pool), as a fiber user would: called on the fiber, it would block every fiber of
// the loop. A heartbeat fiber beside them records how long the loop went unserved.
#include "models/fibers.hpp"
#include "models/executor.hpp"  // its event_loop: a pool whose refused threads are reported
#include "workloads/offload/offload.hpp"

namespace concur::offload {

template <>
result workload::run(models::fibers_model, const params& p, const models::config& config) {
  executor::event_loop threads(config.pool_threads);
  heartbeat_log beats;
  result r{.values = std::vector<std::uint64_t>(p.calls)};
  fibers::run([&](fibers::yield_context yield) {
    bool stop = false;
    fibers::group heart(yield, 1);
    heart.spawn([&](fibers::yield_context yield) {
      fibers::heartbeat(std::chrono::milliseconds(1), stop, beats, yield);
    });
    fibers::group calls(yield, p.calls);
    for (std::size_t i = 0; i < p.calls; ++i) {
      calls.spawn([&, i](fibers::yield_context yield) {
        r.values[i] = fibers::run_in_pool(
            threads.pool(), [i, d = p.delay] { return sundial(i, d); }, yield);
        ++r.calls;
      });
    }
    calls.wait();
    stop = true;
    heart.wait();
  });
  r.loop_worst_gap_ms = beats.worst_gap_ms();
  r.loop_p99_gap_ms = beats.gap_percentile_ms(99);
  return r;
}

}  // namespace concur::offload
