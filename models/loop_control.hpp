#pragma once
// Controlling tasks on the event loop (coroutines and executor models), as asyncio does:
// yield to the loop (asyncio.sleep(0)), a heartbeat, spawn a task and poll done() / cancel() /
// await it, wait_for with a deadline, and gather in "first error" and "collect" modes.
// Everything here runs on the loop's one thread, so the shared state needs no locks.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "models/heartbeat.hpp"
#include "models/loop.hpp"
#include "models/outcome.hpp"

namespace concur::loop {

// asyncio.sleep(0): lets every other ready task run once, then resumes this one.
inline task<void> yield() {
  co_await asio::post(co_await asio::this_coro::executor, use_task);
}

// Ticks `log` every `period` until `stop` is true, then returns the number of ticks.
template <class Rep, class Period>
task<std::size_t> heartbeat(std::chrono::duration<Rep, Period> period, const bool& stop,
                            heartbeat_log& log) {
  steady_timer timer(co_await asio::this_coro::executor);
  log.tick();
  while (!stop) {
    timer.expires_after(period);
    co_await timer.async_wait(use_task);
    log.tick();
  }
  co_return log.ticks();
}

namespace detail {

template <class T>
struct spawn_state {
  explicit spawn_state(executor_type ex) : latch(ex, steady_timer::time_point::max()) {}
  steady_timer latch;  // cancelled when the task ends: wakes whoever awaits it
  asio::cancellation_signal signal;
  bool done = false;
  std::exception_ptr error;
  std::conditional_t<std::is_void_v<T>, bool, std::optional<T>> value{};
};

}  // namespace detail

// A running task (asyncio.create_task): done() polls it, cancel() asks it to stop (its pending
// wait ends with operation_aborted, its clean-up runs), result() awaits its value or error.
// Use it on its loop's thread only.
template <class T>
class spawned {
 public:
  explicit spawned(std::shared_ptr<detail::spawn_state<T>> s) : state_(std::move(s)) {}

  bool done() const { return state_->done; }
  // Cancelling a task that has already ended does nothing.
  void cancel() {
    if (!state_->done) state_->signal.emit(asio::cancellation_type::terminal);
  }
  // Awaits the end of the task, then returns its value (moved out: await it once) or rethrows
  // its exception.
  task<T> result() {
    auto state = state_;
    while (!state->done) co_await state->latch.async_wait(asio::as_tuple(use_task));
    if (state->error) std::rethrow_exception(state->error);
    if constexpr (!std::is_void_v<T>) co_return std::move(*state->value);
  }

 private:
  std::shared_ptr<detail::spawn_state<T>> state_;
};

template <class T>
spawned<T> spawn(executor_type ex, task<T> t) {
  auto state = std::make_shared<detail::spawn_state<T>>(ex);
  auto finish = [state](std::exception_ptr e, auto... value) {
    state->error = e;
    if constexpr (sizeof...(value) > 0)
      if (!e) state->value.emplace(std::move(value)...);
    state->done = true;
    state->latch.cancel();
  };
  asio::co_spawn(ex, std::move(t),
                 asio::bind_cancellation_slot(state->signal.slot(), std::move(finish)));
  return spawned<T>(std::move(state));
}

// asyncio.wait_for(t, d): the task's value, or std::nullopt when the deadline came first, in which
// case the task was cancelled and has finished its clean-up. The task's own error is rethrown;
// cancelling the caller cancels the task and ends with operation_aborted.
template <class T, class Rep, class Period>
task<std::optional<T>> wait_for(task<T> t, std::chrono::duration<Rep, Period> timeout) {
  auto ex = co_await asio::this_coro::executor;
  steady_timer deadline(ex, timeout);
  auto [order, error, value, timer_error] =
      co_await asio::experimental::make_parallel_group(
          asio::co_spawn(ex, std::move(t), asio::deferred), deadline.async_wait(asio::deferred))
          .async_wait(asio::experimental::wait_for_one(), use_task);
  if (order[0] == 0) {
    if (error) std::rethrow_exception(error);
    co_return std::move(value);
  }
  if (timer_error)
    throw boost::system::system_error(timer_error, "wait_for");  // the caller was cancelled
  co_return std::nullopt;
}

namespace detail {

// Starts every task with a cancellation signal of its own; calls on_end(i, error, value) as each
// ends; when stop_on_error, the first error cancels the others. Returns once every task has ended
// (cancelling them all if the caller is cancelled, which then ends with operation_aborted).
template <class T, class OnEnd>
task<void> run_all(std::vector<task<T>> tasks, bool stop_on_error, OnEnd on_end) {
  auto ex = co_await asio::this_coro::executor;
  const std::size_t n = tasks.size();
  auto signals = std::make_unique<asio::cancellation_signal[]>(n);
  std::vector<bool> ended(n, false);
  std::size_t remaining = n;
  bool stopping = false;
  steady_timer all_done(ex, steady_timer::time_point::max());
  auto cancel_others = [&] {
    for (std::size_t j = 0; j < n; ++j)
      if (!ended[j]) signals[j].emit(asio::cancellation_type::terminal);
  };
  for (std::size_t i = 0; i < n; ++i) {
    auto handler = [&, i](std::exception_ptr e, auto... value) {
      ended[i] = true;
      on_end(i, e, std::move(value)...);
      if (e && stop_on_error && !stopping) {
        stopping = true;
        cancel_others();
      }
      if (--remaining == 0) all_done.cancel();
    };
    asio::co_spawn(ex, std::move(tasks[i]),
                   asio::bind_cancellation_slot(signals[i].slot(), std::move(handler)));
  }
  tasks.clear();
  bool caller_cancelled = false;
  while (remaining > 0) {
    co_await all_done.async_wait(asio::as_tuple(use_task));
    if (remaining > 0) {  // woken by a cancellation of this gather: pass it on, wait for the ends
      caller_cancelled = true;
      cancel_others();
      co_await asio::this_coro::reset_cancellation_state();
    }
  }
  if (caller_cancelled) throw boost::system::system_error(asio::error::operation_aborted, "gather");
}

}  // namespace detail

// asyncio.gather, "first error" mode: results in task order; the first task to fail cancels the
// others, and once they have all ended its exception is rethrown (later errors, including those
// raised while cancelling, are dropped).
template <class T>
task<std::vector<T>> gather_first_error(std::vector<task<T>> tasks) {
  std::vector<T> results(tasks.size());
  std::exception_ptr first_error;
  co_await detail::run_all(std::move(tasks), true,
                           [&](std::size_t i, std::exception_ptr e, T value) {
                             if (e && !first_error) first_error = e;
                             if (!e) results[i] = std::move(value);
                           });
  if (first_error) std::rethrow_exception(first_error);
  co_return results;
}

// asyncio.gather(..., return_exceptions=True): every task runs to its end; each slot holds that
// task's value or its exception, in task order.
template <class T>
task<std::vector<outcome<T>>> gather_collect(std::vector<task<T>> tasks) {
  std::vector<outcome<T>> results(tasks.size());
  co_await detail::run_all(std::move(tasks), false,
                           [&](std::size_t i, std::exception_ptr e, T value) {
                             if (e)
                               results[i] = e;
                             else
                               results[i] = std::move(value);
                           });
  co_return results;
}

}  // namespace concur::loop
