#pragma once
// The end of a task that other threads wait for (the threads and tbb models' awaitable tasks): its
// value or its error, set once by the task, then polled, waited for with a deadline, or taken.
#include <chrono>
#include <concepts>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>

#include "models/outcome.hpp"

namespace concur {

template <class T>
class completion {
 public:
  // Runs fn on the calling thread and keeps what it returned or threw; then wakes the waiters.
  template <class F>
  void run(F&& fn) {
    std::optional<T> value;
    std::exception_ptr error;
    try {
      value.emplace(fn());
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::scoped_lock lock(mutex_);
      value_ = std::move(value);
      error_ = error;
      done_ = true;
    }
    finished_.notify_all();
  }

  // Whether the task has ended (with a value or an error); never blocks.
  bool done() const {
    std::scoped_lock lock(mutex_);
    return done_;
  }
  // Blocks until the task ends or `d` passes; true when it ended.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> d) {
    std::unique_lock lock(mutex_);
    return finished_.wait_for(lock, d, [&] { return done_; });
  }
  // Once the task can no longer run: its value (moved out: call it once) or its error rethrown;
  // task_cancelled when it never ran.
  T take() {
    std::scoped_lock lock(mutex_);
    if (!done_) throw task_cancelled();
    if (error_) std::rethrow_exception(error_);
    return std::move(*value_);
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable finished_;
  bool done_ = false;
  std::optional<T> value_;
  std::exception_ptr error_;
};

// A task that can be waited for with a deadline, cancelled, and awaited (future_task, async_task).
template <class Task>
concept awaitable_task = requires(Task& t, std::chrono::milliseconds d) {
  { t.wait_for(d) } -> std::convertible_to<bool>;
  t.cancel();
  t.get();
};

// asyncio.wait_for: the task's value, or std::nullopt when `timeout` passed first; then the task
// was cancelled and has ended. A task that finished anyway at the deadline gives its value.
template <awaitable_task Task, class Rep, class Period>
auto wait_for(Task& task, std::chrono::duration<Rep, Period> timeout)
    -> std::optional<decltype(task.get())> {
  if (!task.wait_for(timeout)) task.cancel();
  try {
    return task.get();
  } catch (const task_cancelled&) {
    return std::nullopt;
  }
}

}  // namespace concur
