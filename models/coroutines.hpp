#pragma once
// coroutines: every task is a coroutine on one thread; only asynchronous waits, nothing blocks.
#include <chrono>

#include "models/loop.hpp"

namespace concur::coroutines {

using loop::gather;
using loop::run;
using loop::task;
using loop::use_task;
using timer = loop::steady_timer;
inline constexpr auto& this_executor = loop::asio::this_coro::executor;

// asyncio.sleep(d): suspends this coroutine on a timer; the loop runs others meanwhile.
template <class Rep, class Period>
task<void> sleep_for(std::chrono::duration<Rep, Period> d) {
  loop::steady_timer timer(co_await loop::asio::this_coro::executor, d);
  co_await timer.async_wait(loop::use_task);
}

}  // namespace concur::coroutines
