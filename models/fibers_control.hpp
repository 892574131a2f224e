#pragma once
// Controlling fibers, as asyncio does with tasks but in blocking style: a task on a fiber of its
// own that can be waited for (get), polled (done), waited for with a deadline (wait_for) and
// cancelled; and gather in "first error" and "collect" modes. A cancel ends the task's pending
// wait with operation_aborted (thrown in the task as boost::system::system_error), so its
// clean-up runs. Everything runs on the one loop thread: no locks.
#include <boost/system/system_error.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "models/fibers.hpp"
#include "models/outcome.hpp"

namespace concur::fibers {

// What a task runs: fn(yield) -> T on its fiber.
template <class T>
using job = std::function<T(yield_context)>;

template <class T>
class task {
 public:
  // Starts the job on a fiber of its own on the caller's loop; it runs at once, up to its first
  // wait, then the caller goes on.
  task(yield_context caller, job<T> fn) : state_(std::make_shared<state>(caller.get_executor())) {
    auto end = [s = state_](std::exception_ptr e, T value) {
      s->error = e;
      if (!e) s->value.emplace(std::move(value));
      s->done = true;
      s->latch.cancel();
    };
    fibers::spawn(caller.get_executor(), std::move(fn),
                  asio::bind_cancellation_slot(state_->signal.slot(), std::move(end)));
  }

  bool done() const { return state_->done; }
  // Asks the task to stop: its pending wait (or its next) ends with operation_aborted. After its
  // end, does nothing.
  void cancel() {
    if (!state_->done) state_->signal.emit(asio::cancellation_type::terminal);
  }
  // Suspends the caller until the task ends or `d` passes; true when it ended.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> d, yield_context yield) {
    if (state_->done) return true;
    state_->latch.expires_after(d);
    boost::system::error_code woken;  // operation_aborted: the task's end cancelled the wait
    state_->latch.async_wait(yield[woken]);
    return state_->done;
  }
  // Suspends the caller until the task ends; returns its value (moved out: call it once) or
  // rethrows its error.
  T get(yield_context yield) {
    while (!wait_for(std::chrono::hours(24), yield)) {
    }
    if (state_->error) std::rethrow_exception(state_->error);
    return std::move(*state_->value);
  }

 private:
  struct state {
    explicit state(executor_type ex) : latch(ex) {}
    steady_timer latch;  // cancelled when the task ends: wakes the caller
    asio::cancellation_signal signal;
    bool done = false;
    std::exception_ptr error;
    std::optional<T> value;
  };
  std::shared_ptr<state> state_;
};

// Whether e is a fiber's pending wait ended by a cancel.
inline bool is_cancelled(const boost::system::system_error& e) {
  return e.code() == asio::error::operation_aborted;
}

// asyncio.wait_for: the job's value, or std::nullopt when `timeout` passed first; then the task
// was cancelled and has ended. A task that finished anyway at the deadline gives its value; its
// own error is rethrown.
template <class T, class Rep, class Period>
std::optional<T> wait_for(job<T> fn, std::chrono::duration<Rep, Period> timeout,
                          yield_context yield) {
  task<T> t(yield, std::move(fn));
  if (!t.wait_for(timeout, yield)) t.cancel();
  try {
    return t.get(yield);
  } catch (const boost::system::system_error& e) {
    if (!is_cancelled(e)) throw;
    return std::nullopt;
  }
}

namespace detail {

// Runs every job on a fiber of its own and calls on_end(i, error, value) as each ends; when
// stop_on_error, the first error cancels the others. Returns once every one has ended.
template <class T, class OnEnd>
void run_all(std::vector<job<T>> jobs, bool stop_on_error, OnEnd on_end, yield_context yield) {
  const std::size_t n = jobs.size();
  std::vector<asio::cancellation_signal> signals(n);
  std::vector<bool> ended(n, false);
  std::size_t remaining = n;
  bool stopping = false;
  steady_timer all_done(yield.get_executor(), steady_timer::time_point::max());
  for (std::size_t i = 0; i < n; ++i) {
    auto end = [&, i](std::exception_ptr e, T value) {
      ended[i] = true;
      on_end(i, e, std::move(value));
      if (e && stop_on_error && !stopping) {
        stopping = true;
        for (std::size_t j = 0; j < n; ++j)
          if (!ended[j]) signals[j].emit(asio::cancellation_type::terminal);
      }
      if (--remaining == 0) all_done.cancel();
    };
    fibers::spawn(yield.get_executor(), std::move(jobs[i]),
                  asio::bind_cancellation_slot(signals[i].slot(), std::move(end)));
  }
  boost::system::error_code ignored;
  while (remaining > 0) all_done.async_wait(yield[ignored]);
}

}  // namespace detail

// asyncio.gather, "first error" mode: results in job order; the first job to fail cancels the
// others, and once they have all ended its exception is rethrown (later errors are dropped).
template <class T>
std::vector<T> gather_first_error(std::vector<job<T>> jobs, yield_context yield) {
  std::vector<T> results(jobs.size());
  std::exception_ptr first_error;
  detail::run_all(
      std::move(jobs), true,
      [&](std::size_t i, std::exception_ptr e, T value) {
        if (e && !first_error) first_error = e;
        if (!e) results[i] = std::move(value);
      },
      yield);
  if (first_error) std::rethrow_exception(first_error);
  return results;
}

// asyncio.gather(..., return_exceptions=True): every job runs to its end; each slot holds that
// job's value or its exception, in job order.
template <class T>
std::vector<outcome<T>> gather_collect(std::vector<job<T>> jobs, yield_context yield) {
  std::vector<outcome<T>> results(jobs.size());
  detail::run_all(
      std::move(jobs), false,
      [&](std::size_t i, std::exception_ptr e, T value) {
        if (e)
          results[i] = e;
        else
          results[i] = std::move(value);
      },
      yield);
  return results;
}

}  // namespace concur::fibers
