// coroutines: the computation and the heartbeat are coroutines on one thread; the heartbeat only
// ticks when the computation yields (co_await loop::yield(), asyncio.sleep(0)), never otherwise.
#include "models/coroutines.hpp"
#include "workloads/cpuyield/on_loop.hpp"

namespace concur::cpuyield {

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  on_loop s(p);
  result r;
  coroutines::run([&]() -> coroutines::task<void> {
    auto computation = compute(p, r);
    co_await s.beside_heartbeat(std::move(computation));
  });
  return s.finish(std::move(r));
}

}  // namespace concur::cpuyield
