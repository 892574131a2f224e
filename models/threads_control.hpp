#pragma once
// Controlling tasks in the threads model: a task on a std::jthread of its own that can be awaited
// (get), polled (done), waited for with a deadline (wait_for) and cancelled (std::stop_token);
// a cancellable sleep; and gather in "first error" and "collect" modes. Cancellation is
// cooperative: a task sees its stop_token at its waits and checks, and ends with task_cancelled.
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <type_traits>
#include <vector>

#include "models/completion.hpp"
#include "models/outcome.hpp"

namespace concur::threads {

// Throws task_cancelled once a stop was requested (a cancellation point).
inline void check_cancelled(const std::stop_token& stop) {
  if (stop.stop_requested()) throw task_cancelled();
}

// Sleeps `d`, waking at once when a stop is requested, and then throws task_cancelled.
template <class Rep, class Period>
void sleep_for(std::chrono::duration<Rep, Period> d, const std::stop_token& stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait_for(lock, stop, d, [] { return false; });
  check_cancelled(stop);
}

// A running task: fn(std::stop_token) -> T on a thread of its own (concurrent.futures.Future with
// cancel() that reaches a running task). Destroying it cancels the task and joins its thread.
template <class T>
class future_task {
 public:
  template <class F>
  explicit future_task(F fn)
      : state_(std::make_shared<completion<T>>()),
        thread_([s = state_, fn = std::move(fn)](std::stop_token stop) mutable {
          s->run([&] { return fn(stop); });
        }) {}

  // Whether the task has ended (with a value or an error); never blocks.
  bool done() const { return state_->done(); }
  // Asks the task to stop; it ends at its next cancellation point. After its end, does nothing.
  void cancel() { thread_.request_stop(); }
  // Blocks until the task ends or `d` passes; true when it ended.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> d) {
    return state_->wait_for(d);
  }
  // Blocks until the task ends and its thread is joined; returns its value (moved out: call it
  // once) or rethrows its error.
  T get() {
    if (thread_.joinable()) thread_.join();
    return state_->take();
  }

 private:
  std::shared_ptr<completion<T>> state_;
  std::jthread thread_;  // declared last: joined before the state goes
};

// asyncio.wait_for (models/completion.hpp).
using concur::wait_for;

template <class T>
using stoppable = std::function<T(std::stop_token)>;

// asyncio.gather, "first error" mode: a thread per task, all sharing one stop source; the first
// task to fail requests stop for the others, and once they have ended its exception is rethrown.
template <class T>
std::vector<T> gather_first_error(std::vector<stoppable<T>> fns) {
  std::vector<T> results(fns.size());
  std::stop_source stop;
  std::mutex mutex;
  std::exception_ptr first_error;
  {
    std::vector<std::jthread> threads;
    threads.reserve(fns.size());
    for (std::size_t i = 0; i < fns.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          results[i] = fns[i](stop.get_token());
        } catch (...) {
          std::scoped_lock lock(mutex);
          if (!first_error) {
            first_error = std::current_exception();
            stop.request_stop();
          }
        }
      });
    }
    for (auto& t : threads) t.join();  // before ~jthread, which would request a stop
  }
  if (first_error) std::rethrow_exception(first_error);
  return results;
}

// asyncio.gather(..., return_exceptions=True): a thread per task, each run to its end; every
// slot holds that task's value or exception, in task order.
template <class T>
std::vector<outcome<T>> gather_collect(std::vector<stoppable<T>> fns) {
  std::vector<outcome<T>> results(fns.size());
  {
    std::vector<std::jthread> threads;
    threads.reserve(fns.size());
    for (std::size_t i = 0; i < fns.size(); ++i) {
      threads.emplace_back([&, i](std::stop_token stop) {
        try {
          results[i] = fns[i](stop);
        } catch (...) {
          results[i] = std::current_exception();
        }
      });
    }
    for (auto& t : threads) t.join();  // every task to its end: ~jthread would request a stop
  }
  return results;
}

}  // namespace concur::threads
