// coroutines: producer and consumer coroutines on one thread around an Asio channel of capacity K
// (asyncio.Queue); a full queue suspends producers, an empty one consumers; nothing blocks.
#include "models/coroutines.hpp"
#include "models/loop_queue.hpp"
#include "workloads/prodcons/prodcons.hpp"

namespace concur::prodcons {
namespace {

struct shared {
  loop::queue<std::uint64_t> queue;
  std::vector<std::uint64_t> consumed;
  std::size_t produced = 0, consumers_done = 0;
};

coroutines::task<std::size_t> producer(shared& s, std::size_t who, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j)
    if (co_await s.queue.put(item_of(who, j))) ++s.produced;
  co_return n;
}

coroutines::task<std::size_t> consumer(shared& s) {
  std::size_t taken = 0;
  while (auto item = co_await s.queue.get()) {
    s.consumed.push_back(*item);
    ++taken;
    s.queue.task_done();
  }
  ++s.consumers_done;
  co_return taken;
}

// The seeds' main(): await the producers, q.join(), then stop the consumers.
coroutines::task<std::size_t> produce_then_close(shared& s, const params& p) {
  std::vector<coroutines::task<std::size_t>> producers;
  for (std::size_t who = 0; who < p.producers; ++who)
    producers.push_back(producer(s, who, p.items_per_producer));
  co_await coroutines::gather(std::move(producers));
  co_await s.queue.join();
  s.queue.close();
  co_return 0;
}

}  // namespace

result workload::run(models::coroutines_model, const params& p, const models::config&) {
  return coroutines::run([&]() -> coroutines::task<result> {
    auto ex = co_await boost::asio::this_coro::executor;
    shared s{.queue = {ex, p.capacity}};
    std::vector<coroutines::task<std::size_t>> tasks;
    tasks.push_back(produce_then_close(s, p));
    for (std::size_t c = 0; c < p.consumers; ++c) tasks.push_back(consumer(s));
    co_await coroutines::gather(std::move(tasks));
    const bool clean = s.consumers_done == p.consumers && s.queue.unfinished() == 0;
    co_return make_result(std::move(s.consumed), s.produced, s.queue.high_water(), p, clean);
  });
}

}  // namespace concur::prodcons
