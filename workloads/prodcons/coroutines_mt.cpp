// coroutines_mt: the queue (an Asio channel of capacity K, asyncio.Queue) and the consumer
// coroutines on the first loop; producer coroutines dealt round the loops from the second on, each
// put a hop to the queue's loop and back (co_spawn there, resumed here), so the queue is only ever
// touched on its own loop's thread. A full queue suspends producers, an empty one consumers.
#include "models/coroutines_mt.hpp"
#include "workloads/prodcons/on_loop.hpp"

namespace concur::prodcons {
namespace {

coroutines_mt::task<std::size_t> producer(on_loop& s, coroutines_mt::executor_type queue_loop,
                                          std::size_t who, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    auto put = coroutines_mt::on(queue_loop, s.put(item_of(who, j)));
    co_await std::move(put);
  }
  co_return n;
}

}  // namespace

template <>
result workload::run(models::coroutines_mt_model, const params& p, const models::config& config) {
  coroutines_mt::event_loops loops(config.worker_threads);
  return loops.run([&]() -> coroutines_mt::task<result> {
    auto ex = co_await coroutines_mt::this_executor;
    on_loop s{.queue = {ex, p.capacity}};
    std::vector<coroutines_mt::task<std::size_t>> producers;
    for (std::size_t who = 0; who < p.producers; ++who)
      producers.push_back(
          coroutines_mt::on(loops.executor(who + 1), producer(s, ex, who, p.items_per_producer)));
    co_return co_await s.run(std::move(producers), p);
  });
}

}  // namespace concur::prodcons
