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
