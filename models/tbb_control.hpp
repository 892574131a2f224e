#pragma once
// Controlling tasks in the tbb model: task_group::cancel() plus a cooperative check
// (is_current_task_group_canceling) stands for cancellation; a task started in an arena of its own
// can be polled, waited for with a deadline and cancelled; gather in "first error" mode is what a
// task_group does (the first exception cancels the group, wait() rethrows it), and "collect" mode
// catches each task's exception into its slot.
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "models/completion.hpp"
#include "models/outcome.hpp"
#include "models/tbb.hpp"

namespace concur::tbb_model {

// Throws task_cancelled when the task group this task runs in is being cancelled.
inline void check_cancelled() {
  if (oneapi::tbb::is_current_task_group_canceling()) throw task_cancelled();
}

// A blocking sleep that checks for cancellation every `slice`: a tbb task cannot be woken, so the
// slice bounds how late it sees a cancel.
template <class Rep, class Period>
void sleep_for(std::chrono::duration<Rep, Period> d,
               std::chrono::steady_clock::duration slice = std::chrono::milliseconds(1)) {
  const auto end = std::chrono::steady_clock::now() + d;
  for (;;) {
    check_cancelled();
    const auto now = std::chrono::steady_clock::now();
    if (now >= end) return;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(slice, end - now));
  }
}

// A running task: fn() -> T as a task of its own task_group in an arena of `threads` whose workers
// run it while the caller does something else. Destroying it cancels the task and waits.
template <class T>
class async_task {
 public:
  template <class F>
  async_task(unsigned threads, F fn)
      // The caller's slot stays reserved (it joins only in get()); workers fill the others.
      : state_(std::make_unique<state>(std::move(fn))),
        arena_(static_cast<int>(std::max(2u, threads)), 1) {
    reserve_threads(std::max(2u, threads));
    // The task holds a plain pointer: the state outlives it (the destructor waits for the group),
    // and nothing of the task's own is left to destroy after it ends.
    arena_.execute([s = state_.get(), this] { group_.run([s] { s->end.run(s->body); }); });
  }
  async_task(const async_task&) = delete;
  async_task& operator=(const async_task&) = delete;
  ~async_task() {
    cancel();
    wait_group();
  }

  bool done() const { return state_->end.done(); }
  // task_group::cancel(): a task not started yet never runs; a running one sees check_cancelled().
  void cancel() { group_.cancel(); }
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> d) {
    return state_->end.wait_for(d);
  }
  // Waits for the group (the caller joins the arena meanwhile), then returns the value or
  // rethrows; a task cancelled before it started ends with task_cancelled.
  T get() {
    wait_group();
    return state_->end.take();
  }

 private:
  void wait_group() {
    if (!waited_) arena_.execute([&] { group_.wait(); });
    waited_ = true;
  }
  struct state {
    explicit state(std::function<T()> f) : body(std::move(f)) {}
    std::function<T()> body;
    completion<T> end;
  };
  std::unique_ptr<state> state_;
  oneapi::tbb::task_arena arena_;
  task_group group_;
  bool waited_ = false;
};

// asyncio.wait_for (models/completion.hpp): the group is cancelled when the deadline passes.
using concur::wait_for;

// asyncio.gather, "first error" mode, as a task_group does it: the first exception cancels the
// group (tasks not started never run, running ones see check_cancelled()), wait() rethrows it.
// The tasks are spawned last-first: the calling thread runs its own tasks last-in first-out, so it
// takes them in task order (workers steal from the other end), whatever threads turn up.
template <class T>
std::vector<T> gather_first_error(unsigned threads, std::vector<std::function<T()>> fns) {
  std::vector<T> results(fns.size());
  run_in_arena(threads, [&] {
    task_group group;
    for (std::size_t i = fns.size(); i-- > 0;) group.run([&, i] { results[i] = fns[i](); });
    group.wait();
  });
  return results;
}

// asyncio.gather(..., return_exceptions=True): each task's value or exception, in task order
// (spawned last-first, as above).
template <class T>
std::vector<outcome<T>> gather_collect(unsigned threads, std::vector<std::function<T()>> fns) {
  std::vector<outcome<T>> results(fns.size());
  run_in_arena(threads, [&] {
    task_group group;
    for (std::size_t i = fns.size(); i-- > 0;) {
      group.run([&, i] {
        try {
          results[i] = fns[i]();
        } catch (...) {
          results[i] = std::current_exception();
        }
      });
    }
    group.wait();
  });
  return results;
}

}  // namespace concur::tbb_model
