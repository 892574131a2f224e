// fibers: the computation and the heartbeat are fibers on one thread; the heartbeat only ticks
// when the computation yields (fibers::yield_now, asyncio.sleep(0)), never otherwise.
#include "models/fibers.hpp"
#include "workloads/cpuyield/cpuyield.hpp"

namespace concur::cpuyield {

template <>
result workload::run(models::fibers_model, const params& p, const models::config&) {
  measurement measured(p);
  result r;
  fibers::run([&](fibers::yield_context yield) {
    bool stop = false;
    fibers::group heart(yield, 1);
    heart.spawn([&](fibers::yield_context yield) {
      fibers::heartbeat(p.period, stop, measured.beats, yield);
    });
    fibers::yield_now(yield);  // let the heartbeat start before the computation takes the thread
    measured.computation_starts();
    for (sliced_chain chain(p, r); chain.next_slice();) fibers::yield_now(yield);
    measured.computation_ends();
    stop = true;
    heart.wait();
  });
  return measured.finish(std::move(r));
}

}  // namespace concur::cpuyield
