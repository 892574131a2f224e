// executor: producers make each item on the pool (run_in_executor) and put it into an Asio channel
// of capacity K on the loop thread; consumer coroutines take from it there. The loop never blocks.
#include "models/executor.hpp"
#include "models/loop_queue.hpp"
#include "workloads/prodcons/prodcons.hpp"

namespace concur::prodcons {
namespace {

struct shared {
  boost::asio::thread_pool& pool;
  loop::queue<std::uint64_t> queue;
  std::vector<std::uint64_t> consumed;
  std::size_t produced = 0, consumers_done = 0;
};

executor::task<std::size_t> producer(shared& s, std::size_t who, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) {
    const std::uint64_t item =
        co_await executor::run_in_executor(s.pool, [who, j] { return item_of(who, j); });
    if (co_await s.queue.put(item)) ++s.produced;
  }
  co_return n;
}

executor::task<std::size_t> consumer(shared& s) {
  std::size_t taken = 0;
  while (auto item = co_await s.queue.get()) {
    s.consumed.push_back(*item);
    ++taken;
    s.queue.task_done();
  }
  ++s.consumers_done;
  co_return taken;
}

executor::task<std::size_t> produce_then_close(shared& s, const params& p) {
  std::vector<executor::task<std::size_t>> producers;
  for (std::size_t who = 0; who < p.producers; ++who)
    producers.push_back(producer(s, who, p.items_per_producer));
  co_await executor::gather(std::move(producers));
  co_await s.queue.join();
  s.queue.close();
  co_return 0;
}

}  // namespace

result workload::run(models::executor_model, const params& p, const models::config& config) {
  executor::event_loop loop(config.pool_threads);
  return loop.run([&]() -> executor::task<result> {
    auto ex = co_await boost::asio::this_coro::executor;
    shared s{.pool = loop.pool(), .queue = {ex, p.capacity}};
    std::vector<executor::task<std::size_t>> tasks;
    tasks.push_back(produce_then_close(s, p));
    for (std::size_t c = 0; c < p.consumers; ++c) tasks.push_back(consumer(s));
    co_await executor::gather(std::move(tasks));
    const bool clean = s.consumers_done == p.consumers && s.queue.unfinished() == 0;
    co_return make_result(std::move(s.consumed), s.produced, s.queue.high_water(), p, clean);
  });
}

}  // namespace concur::prodcons
