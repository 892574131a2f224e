// coroutines_mt: the heartbeat is a coroutine on the first loop, the computation a coroutine on
// the second (with one loop, the same one): its yields offer its own loop to others, and the
// heartbeat ticks on its thread meanwhile, whether the computation yields or not.
#include "models/coroutines_mt.hpp"
#include "workloads/cpuyield/on_loop.hpp"

namespace concur::cpuyield {

template <>
result workload::run(models::coroutines_mt_model, const params& p, const models::config& config) {
  coroutines_mt::event_loops loops(config.worker_threads);
  on_loop s(p);
  result r;
  loops.run([&]() -> coroutines_mt::task<void> {
    auto computation = coroutines_mt::on(loops.executor(1), compute(p, r));
    co_await s.beside_heartbeat(std::move(computation));
  });
  return s.finish(std::move(r));
}

}  // namespace concur::cpuyield
