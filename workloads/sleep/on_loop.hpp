#pragma once
// What the coroutines and coroutines_mt models share: a coroutine per task on an Asio loop, each
// awaiting a timer; nothing blocks. They differ in how many loops share the tasks.
#include <chrono>
#include <cstdint>
#include <vector>

#include "models/loop.hpp"
#include "workloads/sleep/sleep.hpp"

namespace concur::sleep::on_loop {

inline loop::task<std::uint64_t> slow(std::size_t i, std::chrono::milliseconds delay, tally& work) {
  ++work.started;
  // The timer lives in this coroutine's frame (Asio's own idiom); a nested sleep_for coroutine
  // would cost a second frame per task.
  loop::steady_timer timer(co_await loop::asio::this_coro::executor, delay);
  co_await timer.async_wait(loop::use_task);
  ++work.finished;
  co_return value_of(i);
}

// Tasks first, ..., last - 1 at once on the calling coroutine's loop; their values in task order.
inline loop::task<std::vector<std::uint64_t>> sleepers(std::size_t first, std::size_t last,
                                                       std::chrono::milliseconds delay,
                                                       tally& work) {
  std::vector<loop::task<std::uint64_t>> tasks;
  tasks.reserve(last - first);
  for (std::size_t i = first; i < last; ++i) tasks.push_back(slow(i, delay, work));
  co_return co_await loop::gather(std::move(tasks));
}

}  // namespace concur::sleep::on_loop
