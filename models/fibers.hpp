#pragma once
// fibers: stackful coroutines (Boost.Context fibers through asio::spawn) on one io_context run by
// the calling thread. A fiber's code is written in blocking style: an asynchronous operation
// given the fiber's yield_context suspends the fiber until it completes (timer.async_wait(yield)).
// Every fiber's stack is a fixedsize_stack of fibers_model::stack_bytes: malloc'd, so only the
// pages a fiber touches are resident, and one heap region rather than a memory map per fiber
// (protected_fixedsize_stack maps each stack with a guard page, two maps per fiber, and stops at
// vm.max_map_count / 2, about 32k fibers). The price: no guard page, so the code on a fiber must
// keep its frames small (no deep recursion, no large arrays on the stack).
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/context/fixedsize_stack.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "core/workload.hpp"
#include "models/heartbeat.hpp"
#include "models/models.hpp"

namespace concur::fibers {

namespace asio = boost::asio;

using executor_type = asio::io_context::executor_type;
using yield_context = asio::basic_yield_context<executor_type>;
using steady_timer =
    asio::basic_waitable_timer<std::chrono::steady_clock,
                               asio::wait_traits<std::chrono::steady_clock>, executor_type>;

// The one place the stack allocator is chosen.
inline boost::context::fixedsize_stack stack() {
  return boost::context::fixedsize_stack(models::fibers_model::stack_bytes);
}

// What the OS allows, for the message when it refuses a fiber's stack (models.cpp).
std::string fiber_limit_message(std::size_t started, std::size_t wanted);

// Starts f(yield) -> T as a fiber on ex; `token` receives (std::exception_ptr[, T]) when it ends.
// Throws std::bad_alloc when no stack can be had.
template <class F, class Token>
decltype(auto) spawn(executor_type ex, F f, Token&& token) {
  return asio::spawn(ex, std::allocator_arg, stack(), std::move(f), std::forward<Token>(token));
}

// Runs main(yield) as a fiber on ctx until the loop has no work left; returns its value or
// rethrows its exception on the calling thread. The same ctx may be run again afterwards.
template <class F>
auto run(asio::io_context& ctx, F main) {
  using T = std::invoke_result_t<F&, yield_context>;
  std::exception_ptr error;
  std::optional<std::conditional_t<std::is_void_v<T>, bool, T>> out;
  ctx.restart();
  fibers::spawn(ctx.get_executor(), std::move(main), [&](std::exception_ptr e, auto... value) {
    error = e;
    if constexpr (sizeof...(value) > 0)
      if (!e) out.emplace(std::move(value)...);
  });
  ctx.run();
  if (error) std::rethrow_exception(error);
  if constexpr (!std::is_void_v<T>) return std::move(*out);
}

// A fresh single-threaded loop for one run.
template <class F>
auto run(F main) {
  asio::io_context ctx(1);
  return run(ctx, std::move(main));
}

// Suspends this fiber for d; the loop runs other fibers meanwhile.
template <class Rep, class Period>
void sleep_for(std::chrono::duration<Rep, Period> d, yield_context yield) {
  steady_timer timer(yield.get_executor(), d);
  timer.async_wait(yield);
}

// Lets every other ready fiber run once, then resumes this one (asyncio.sleep(0)).
inline void yield_now(yield_context yield) {
  asio::post(yield);
}

// Ticks `log` every `period` until `stop` is true.
template <class Rep, class Period>
void heartbeat(std::chrono::duration<Rep, Period> period, const bool& stop, heartbeat_log& log,
               yield_context yield) {
  for (log.tick(); !stop; log.tick()) sleep_for(period, yield);
}

// fn() on a pool thread, while this fiber is suspended: returns its value or rethrows its error
// on the fiber's own loop (the fiber user's way with a blocking call: hand it to a pool). The
// outcome is written into this fiber's frame, which lives while it waits, and the fiber resumed
// with no arguments: Asio 1.81's yield_context mishandles exception_ptr completions (it rethrows
// a null one, and keeps the address of a value argument).
template <class F>
std::invoke_result_t<F&> run_in_pool(asio::thread_pool& pool, F fn, yield_context yield) {
  std::optional<std::invoke_result_t<F&>> value;
  std::exception_ptr error;
  auto initiate = [&](auto handler, F fn) {
    auto back = asio::make_work_guard(asio::get_associated_executor(handler));
    asio::post(pool, [&value, &error, fn = std::move(fn), handler = std::move(handler),
                      back = std::move(back)]() mutable {
      try {
        value.emplace(fn());
      } catch (...) {
        error = std::current_exception();
      }
      auto loop = back.get_executor();
      asio::post(loop, [handler = std::move(handler), back = std::move(back)]() mutable {
        std::move(handler)();
      });
    });
  };
  asio::async_initiate<yield_context, void()>(std::move(initiate), yield, std::move(fn));
  if (error) std::rethrow_exception(error);
  return std::move(*value);
}

// Fibers started by one owner fiber and waited for together (a nursery): spawn() starts one on
// the owner's loop, wait() suspends the owner until all have ended and rethrows the first error.
// cancel() ends every pending wait of the fibers still running with operation_aborted. When the OS
// refuses a stack, the fibers already started are cancelled and waited for, and
// resource_exhausted says where it stopped. Call wait() before the group goes.
class group {
 public:
  group(yield_context owner, std::size_t expected)
      : owner_(owner), wanted_(expected), latch_(owner.get_executor(), latch_closed) {}
  group(const group&) = delete;
  group& operator=(const group&) = delete;

  // Starts f(yield) on a fiber of its own; it runs at once, up to its first wait.
  template <class F>
  void spawn(F f) {
    auto& signal = signals_.emplace_back();
    ++running_;
    try {
      fibers::spawn(owner_.get_executor(), std::move(f),
                    asio::bind_cancellation_slot(signal.slot(), [this](std::exception_ptr e) {
                      if (e && !first_error_) first_error_ = e;
                      if (--running_ == 0) latch_.cancel();
                    }));
    } catch (const std::bad_alloc&) {
      --running_;
      signals_.pop_back();
      const std::size_t started = signals_.size();
      cancel();
      wait_for_all();
      throw resource_exhausted(fiber_limit_message(started, std::max(wanted_, started + 1)));
    }
  }

  void cancel() {
    for (auto& s : signals_) s.emit(asio::cancellation_type::terminal);
  }

  void wait() {
    wait_for_all();
    if (first_error_) std::rethrow_exception(std::exchange(first_error_, nullptr));
  }

 private:
  static constexpr auto latch_closed = steady_timer::time_point::max();

  void wait_for_all() {
    boost::system::error_code ignored;
    while (running_ > 0) latch_.async_wait(owner_[ignored]);
  }

  yield_context owner_;
  std::size_t wanted_;
  steady_timer latch_;  // cancelled when the last fiber ends: wakes the owner
  std::deque<asio::cancellation_signal>
      signals_;  // one per fiber started; a deque never moves them
  std::size_t running_ = 0;
  std::exception_ptr first_error_;
};

}  // namespace concur::fibers
