#pragma once
// What the loop models share: consumer coroutines on one Asio loop around a loop::queue
// (asyncio.Queue). They differ only in how and where producers make their items.
#include <cstdint>
#include <vector>

#include "models/loop.hpp"
#include "models/loop_queue.hpp"
#include "workloads/prodcons/prodcons.hpp"

namespace concur::prodcons {

struct on_loop {
  loop::queue<std::uint64_t> queue;
  std::vector<std::uint64_t> consumed;
  std::size_t produced = 0, consumers_done = 0;

  // Puts an item (suspending while the queue is full) and counts it: a step another loop can
  // await on this one.
  loop::task<bool> put(std::uint64_t item) {
    const bool taken = co_await queue.put(item);
    if (taken) ++produced;
    co_return taken;
  }

  // The seeds' main(): await the producers, q.join(), then stop the consumers.
  loop::task<std::size_t> produce_then_close(std::vector<loop::task<std::size_t>> producers) {
    co_await loop::gather(std::move(producers));
    co_await queue.join();
    queue.close();
    co_return 0;
  }

  // The producers, then q.join() and the consumers stopped, beside C consumers; the result once
  // every one has ended.
  loop::task<result> run(std::vector<loop::task<std::size_t>> producers, const params& p) {
    std::vector<loop::task<std::size_t>> tasks;
    tasks.push_back(produce_then_close(std::move(producers)));
    for (std::size_t c = 0; c < p.consumers; ++c) tasks.push_back(consume());
    co_await loop::gather(std::move(tasks));
    co_return finish(p);
  }

  // A consumer: take until the queue is closed, marking each item done (q.task_done()).
  loop::task<std::size_t> consume() {
    std::size_t taken = 0;
    while (auto item = co_await queue.get()) {
      consumed.push_back(*item);
      ++taken;
      queue.task_done();
    }
    ++consumers_done;
    co_return taken;
  }

  result finish(const params& p) {
    const bool clean = consumers_done == p.consumers && queue.unfinished() == 0;
    return make_result(std::move(consumed), produced, queue.high_water(), p, clean);
  }
};

}  // namespace concur::prodcons
