// coroutines: producer and consumer coroutines on one thread around an Asio channel of capacity K
// (asyncio.Queue); a full queue suspends producers, an empty one consumers; nothing blocks.
#include "models/coroutines.hpp"
#include "workloads/prodcons/on_loop.hpp"

namespace concur::prodcons {
namespace {

coroutines::task<std::size_t> producer(on_loop& s, std::size_t who, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j)
    if (co_await s.queue.put(item_of(who, j))) ++s.produced;
  co_return n;
}

}  // namespace

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  return coroutines::run([&]() -> coroutines::task<result> {
    auto ex = co_await boost::asio::this_coro::executor;
    on_loop s{.queue = {ex, p.capacity}};
    std::vector<coroutines::task<std::size_t>> producers;
    for (std::size_t who = 0; who < p.producers; ++who)
      producers.push_back(producer(s, who, p.items_per_producer));
    co_return co_await s.run(std::move(producers), p);
  });
}

}  // namespace concur::prodcons
