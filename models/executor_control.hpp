#pragma once
// Controlling blocking calls in the executor model: run_in_executor for a function that takes a
// std::stop_token, so that cancelling the coroutine that awaits it (a cancel(), a wait_for
// deadline, a failing gather) reaches the blocking call on the pool. The coroutine resumes only
// once the call has ended, so its clean-up has run; a cancelled call ends with the call's own
// exception (task_cancelled when it saw the stop), or operation_aborted when it finished anyway.
// The rest (spawn, wait_for, gather modes) is the loop's: models/loop_control.hpp.
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/system/system_error.hpp>
#include <memory>
#include <optional>
#include <stop_token>
#include <type_traits>

#include "models/executor.hpp"
#include "models/loop_control.hpp"

namespace concur::executor {

using loop::sleep_for;  // asyncio.sleep on the loop thread

template <class F>
task<std::invoke_result_t<F&, std::stop_token>> run_in_executor_stoppable(
    boost::asio::thread_pool& pool, F fn) {
  using R = std::invoke_result_t<F&, std::stop_token>;
  static_assert(!std::is_void_v<R>, "return a value (a count, a status) from the blocking call");
  struct call_state {
    explicit call_state(loop::executor_type ex)
        : latch(ex, loop::steady_timer::time_point::max()) {}
    loop::steady_timer latch;  // cancelled on the loop when the call has ended
    std::stop_source stop;
    bool ended = false;  // loop thread only
    std::optional<R> value;
    std::exception_ptr error;
  };
  auto ex = co_await boost::asio::this_coro::executor;
  // Cancelled before it started: the call never runs (the next co_await would throw anyway).
  const auto cancellation = co_await boost::asio::this_coro::cancellation_state;
  if (cancellation.cancelled() != boost::asio::cancellation_type::none)
    throw boost::system::system_error(boost::asio::error::operation_aborted, "run_in_executor");
  auto state = std::make_shared<call_state>(ex);
  boost::asio::post(pool, [state, ex, fn = std::move(fn)]() mutable {
    try {
      state->value.emplace(fn(state->stop.get_token()));
    } catch (...) {
      state->error = std::current_exception();
    }
    // Back on the loop: the post orders the writes above before the loop reads them, and the
    // state (the value, the exception) goes with it, so it is freed on the loop thread.
    boost::asio::post(ex, [state = std::move(state)] {
      state->ended = true;
      state->latch.cancel();
    });
  });
  bool cancelled = false;
  while (!state->ended) {
    co_await state->latch.async_wait(boost::asio::as_tuple(loop::use_task));
    if (!state->ended) {  // this coroutine was cancelled: pass it on, then wait for the call's end
      cancelled = true;
      state->stop.request_stop();
      co_await boost::asio::this_coro::reset_cancellation_state();
    }
  }
  if (state->error) std::rethrow_exception(state->error);
  if (cancelled)
    throw boost::system::system_error(boost::asio::error::operation_aborted, "run_in_executor");
  co_return std::move(*state->value);
}

}  // namespace concur::executor
