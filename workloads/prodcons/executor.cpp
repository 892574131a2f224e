// executor: producers make each item on the pool (run_in_executor) and put it into an Asio channel
// of capacity K on the loop thread; consumer coroutines take from it there. The loop never blocks.
#include "models/executor.hpp"
#include "workloads/prodcons/on_loop.hpp"

namespace concur::prodcons {
namespace {

executor::task<std::size_t> producer(on_loop& s, boost::asio::thread_pool& pool, std::size_t who,
                                     std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    const std::uint64_t item =
        co_await executor::run_in_executor(pool, [who, j] { return item_of(who, j); });
    if (co_await s.queue.put(item)) ++s.produced;
  }
  co_return n;
}

executor::task<std::size_t> produce_then_close(on_loop& s, boost::asio::thread_pool& pool,
                                               const params& p) {
  std::vector<executor::task<std::size_t>> producers;
  for (std::size_t who = 0; who < p.producers; ++who)
    producers.push_back(producer(s, pool, who, p.items_per_producer));
  co_await executor::gather(std::move(producers));
  co_await s.queue.join();
  s.queue.close();
  co_return 0;
}

}  // namespace

template <>
result workload::run(models::executor_model, const params& p, const models::config& config) {
  executor::event_loop loop(config.pool_threads);
  return loop.run([&]() -> executor::task<result> {
    auto ex = co_await boost::asio::this_coro::executor;
    on_loop s{.queue = {ex, p.capacity}};
    std::vector<executor::task<std::size_t>> tasks;
    tasks.push_back(produce_then_close(s, loop.pool(), p));
    for (std::size_t c = 0; c < p.consumers; ++c) tasks.push_back(s.consume());
    co_await executor::gather(std::move(tasks));
    co_return s.finish(p);
  });
}

}  // namespace concur::prodcons
