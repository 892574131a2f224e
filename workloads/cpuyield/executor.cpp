// executor: the heartbeat is a coroutine on the loop thread; the computation runs on the pool
// (run_in_executor), so it cannot hold up the loop; its yields (std::this_thread::yield) are hints.
#include <thread>

#include "models/executor.hpp"
#include "workloads/cpuyield/on_loop.hpp"

namespace concur::cpuyield {
namespace {

executor::task<void> compute(boost::asio::thread_pool& pool, const params& p, result& r) {
  r = co_await executor::run_in_executor(pool, [&p] {
    result out;
    for (sliced_chain chain(p, out); chain.next_slice();) std::this_thread::yield();
    return out;
  });
}

}  // namespace

template <>
result workload::run(models::executor_model, const params& p, const models::config& config) {
  on_loop s(p);
  result r;
  executor::event_loop loop(config.pool_threads);
  loop.run([&]() -> executor::task<void> {
    auto computation = compute(loop.pool(), p, r);
    co_await s.beside_heartbeat(std::move(computation));
  });
  return s.finish(std::move(r));
}

}  // namespace concur::cpuyield
