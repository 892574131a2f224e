#pragma once
// The event loop the executor and coroutines models share: Asio C++20 coroutines on one
// io_context, with the concrete io_context executor (any_io_executor costs ~3x per spawn).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

namespace concur::loop {

namespace asio = boost::asio;

using executor_type = asio::io_context::executor_type;
template <class T = void>
using task = asio::awaitable<T, executor_type>;
inline constexpr asio::use_awaitable_t<executor_type> use_task{};
using steady_timer =
    asio::basic_waitable_timer<std::chrono::steady_clock,
                               asio::wait_traits<std::chrono::steady_clock>, executor_type>;

// Runs the coroutine make_main() returns on ctx until the loop has no work left; returns its
// value or rethrows its exception on the calling thread (asyncio.run). The same ctx may be run
// again afterwards (it is restarted first).
template <class F>
auto run(asio::io_context& ctx, F make_main) {
  using T = typename std::invoke_result_t<F&>::value_type;
  std::exception_ptr error;
  ctx.restart();
  if constexpr (std::is_void_v<T>) {
    asio::co_spawn(ctx, std::move(make_main), [&](std::exception_ptr e) { error = e; });
    ctx.run();
    if (error) std::rethrow_exception(error);
  } else {
    std::optional<T> out;
    asio::co_spawn(ctx, std::move(make_main), [&](std::exception_ptr e, T value) {
      if (e)
        error = e;
      else
        out.emplace(std::move(value));
    });
    ctx.run();
    if (error) std::rethrow_exception(error);
    return std::move(*out);
  }
}

// A fresh single-threaded loop for one run.
template <class F>
auto run(F make_main) {
  asio::io_context ctx(1);
  return run(ctx, std::move(make_main));
}

// asyncio.sleep(d): suspends this coroutine on a timer; the loop runs others meanwhile, and a
// cancel ends the wait at once.
template <class Rep, class Period>
task<void> sleep_for(std::chrono::duration<Rep, Period> d) {
  steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(use_task);
}

// Starts every task at once and waits for all of them (asyncio.gather): results in task order,
// whatever order they finish in. The first exception is rethrown once all tasks have ended.
template <class T>
task<std::vector<T>> gather(std::vector<task<T>> tasks) {
  auto ex = co_await asio::this_coro::executor;
  std::vector<T> results(tasks.size());
  std::exception_ptr first_error;
  std::size_t remaining = tasks.size();
  steady_timer all_done(ex, steady_timer::time_point::max());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    asio::co_spawn(ex, std::move(tasks[i]), [&, i](std::exception_ptr e, T value) {
      if (e && !first_error) first_error = e;
      if (!e) results[i] = std::move(value);
      if (--remaining == 0) all_done.cancel();
    });
  }
  tasks.clear();
  // The completions above run on this loop, so `remaining` needs no lock; the timer is a latch.
  if (remaining > 0) co_await all_done.async_wait(asio::as_tuple(use_task));
  if (first_error) std::rethrow_exception(first_error);
  co_return results;
}

}  // namespace concur::loop
