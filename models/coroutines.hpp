#pragma once
// coroutines: every task is a coroutine on one thread; only asynchronous waits, nothing blocks.
#include "models/loop.hpp"

namespace concur::coroutines {

using loop::gather;
using loop::run;
using loop::sleep_for;
using loop::task;
using loop::use_task;
using timer = loop::steady_timer;
inline constexpr auto& this_executor = loop::asio::this_coro::executor;

}  // namespace concur::coroutines
