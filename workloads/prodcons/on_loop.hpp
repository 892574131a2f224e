#pragma once
// What the coroutines and executor models share: consumer coroutines on one Asio loop around a
// loop::queue (asyncio.Queue). They differ only in how producers make their items.
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
