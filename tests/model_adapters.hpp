#pragma once
// Every concurrent model as a test adapter: its tasks, spawn, await, wait_for, gather and cancel,
// in the shape tests/techniques_test.cpp writes its scenarios against once. The one place a new
// model is added for the tests (README, "Adding a model").
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <coroutine>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "models/coroutines.hpp"
#include "models/coroutines_mt.hpp"
#include "models/executor.hpp"
#include "models/executor_control.hpp"
#include "models/fibers_control.hpp"
#include "models/loop_control.hpp"
#include "models/models.hpp"
#include "models/tbb_control.hpp"
#include "models/threads_control.hpp"
#include "tests/support.hpp"

namespace concur::model_adapters {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
namespace asio = boost::asio;

constexpr auto forever = 30s;  // a task that is not cancelled would make the test time out

// What a task tells the test: it started, and its clean-up ran (set on any thread).
struct flags {
  std::atomic<bool> started{false}, cleaned{false};
};

// Sets `flag` when it goes out of scope: the task's clean-up ran.
struct cleanup {
  std::atomic<bool>& flag;
  ~cleanup() { flag = true; }
};

// The body of a blocking task (on the executor's pool, or a thread) that waits to be cancelled and
// then throws while cleaning up.
inline int fail_when_cancelled(flags& f, const std::stop_token& stop) {
  f.started = true;
  cleanup guard{f.cleaned};
  try {
    threads::sleep_for(forever, stop);
  } catch (const task_cancelled&) {
    throw std::runtime_error("error while cancelling");
  }
  return -1;
}

inline bool holds_task_cancelled(const std::exception_ptr& e) {
  try {
    if (e) std::rethrow_exception(e);
  } catch (const task_cancelled&) {
    return true;
  } catch (...) {
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The adapters. Each gives:
//   job                      a task not started yet; quick(value, delay), fails(what, delay),
//                            long_running(flags) (until cancelled), fails_when_cancelled(flags)
//   spawn(job)               a running task, with done() and cancel()
//   result(running)          awaits its value or rethrows its error
//   sleep(d)                 the caller waits (between polls, before a cancel)
//   wait_for(job, d)         std::nullopt when the deadline came first (the task then ended)
//   gather_first_error(jobs), gather_collect(jobs)
//   is_cancelled(error)      whether an error is this model's way of saying "cancelled"
//   run(scenario)            runs scenario(adapter&) to its end
// and these traits:
//   started_by_the_next_wait  a spawned task has surely started once the caller waits
//   cancel_can_skip           a cancel before a task started means it never runs (no clean-up)
//   may_wait_for_a_worker     a spawned task may wait for a free worker however long the caller
//                             waits, so any cancel may find it not started
//   gather_is_a_task          a gather can itself be awaited, gathered, cancelled

// What the two loop models share: spawn, await, wait_for and gather on the loop's one thread.
struct on_the_loop {
  using scenario = loop::task<void>;
  using job = loop::task<int>;
  static constexpr bool gather_is_a_task = true;

  loop::executor_type ex;

  loop::spawned<int> spawn(job j) const { return loop::spawn(ex, std::move(j)); }
  static loop::task<int> result(loop::spawned<int>& t) { return t.result(); }
  // Polling sleeps on the loop: no core burnt, the task runs meanwhile.
  static loop::task<void> sleep(milliseconds d) { return loop::sleep_for(d); }
  static loop::task<std::optional<int>> wait_for(job j, milliseconds d) {
    return loop::wait_for(std::move(j), d);
  }
  static loop::task<std::vector<int>> gather_first_error(std::vector<job> jobs) {
    return loop::gather_first_error(std::move(jobs));
  }
  static loop::task<std::vector<outcome<int>>> gather_collect(std::vector<job> jobs) {
    return loop::gather_collect(std::move(jobs));
  }
  static bool is_cancelled(const std::exception_ptr& e) { return is_cancellation(e); }
};

// coroutines: everything on one loop thread, cancellation through Asio cancellation signals.
struct coroutines_adapter : on_the_loop {
  using model = models::coroutines_model;
  static constexpr bool started_by_the_next_wait = true;  // the caller's thread runs it
  static constexpr bool cancel_can_skip = false;          // it ends at its first wait
  static constexpr bool may_wait_for_a_worker = false;

  static job quick(int value, milliseconds delay) {
    co_await loop::sleep_for(delay);
    co_return value;
  }
  static job fails(std::string what, milliseconds delay) {
    co_await loop::sleep_for(delay);
    throw std::runtime_error(what);
  }
  static job long_running(flags& f) {
    f.started = true;
    cleanup guard{f.cleaned};
    co_await loop::sleep_for(forever);
    co_return -1;
  }
  // When cancelled, its clean-up itself fails.
  static job fails_when_cancelled(flags& f) {
    f.started = true;
    cleanup guard{f.cleaned};
    try {
      co_await loop::sleep_for(forever);
    } catch (const boost::system::system_error&) {
      throw std::runtime_error("error while cancelling");
    }
    co_return -1;
  }

  template <class F>
  static void run(F scenario) {
    coroutines::run([scenario]() -> loop::task<void> {
      coroutines_adapter a{{co_await asio::this_coro::executor}};
      co_await scenario(a);
    });
  }
};

// executor: coroutines on the loop thread, blocking calls on the pool that see a std::stop_token.
struct executor_adapter : on_the_loop {
  using model = models::executor_model;
  static constexpr bool started_by_the_next_wait = false;  // the call waits for a pool thread
  static constexpr bool cancel_can_skip = true;  // cancelled before it reached the pool: never runs
  static constexpr bool may_wait_for_a_worker = false;  // once posted, a call always runs

  asio::thread_pool& pool;

  // A blocking call on the pool; it sees its stop_token at its waits.
  template <class F>
  job on_the_pool(F call) const {
    co_return co_await executor::run_in_executor_stoppable(pool, std::move(call));
  }
  // Sleeps `delay` on a pool thread, waking early when stopped.
  job blocking(int value, milliseconds delay, flags* f = nullptr) const {
    // A named function object: GCC 12 mishandles non-trivial temporaries inside a co_await.
    auto call = [=](std::stop_token stop) {
      if (f) f->started = true;
      struct on_exit {
        flags* f;
        ~on_exit() {
          if (f) f->cleaned = true;
        }
      } guard{f};
      threads::sleep_for(delay, stop);
      return value;
    };
    return on_the_pool(std::move(call));
  }
  job quick(int value, milliseconds delay) const { return blocking(value, delay); }
  job fails(std::string what, milliseconds delay) const {
    auto call = [what = std::move(what), delay](std::stop_token stop) -> int {
      threads::sleep_for(delay, stop);
      throw std::runtime_error(what);
    };
    return on_the_pool(std::move(call));
  }
  job long_running(flags& f) const { return blocking(-1, forever, &f); }
  job fails_when_cancelled(flags& f) const {
    auto call = [&f](std::stop_token stop) { return fail_when_cancelled(f, stop); };
    return on_the_pool(std::move(call));
  }

  template <class F>
  static void run(F scenario) {
    executor::event_loop loop(4);
    loop.run([&]() -> loop::task<void> {
      executor_adapter a{{co_await asio::this_coro::executor}, loop.pool()};
      co_await scenario(a);
    });
  }
};

// coroutines_mt: the scenario on one loop, each task a coroutine on another loop, awaited across;
// a cancel reaches the task on its own loop (Asio dispatches the signal there).
struct coroutines_mt_adapter : on_the_loop {
  using model = models::coroutines_mt_model;
  static constexpr bool started_by_the_next_wait = false;  // its loop's thread runs it, some time
  static constexpr bool cancel_can_skip = true;  // cancelled before it reached its loop: never runs
  static constexpr bool may_wait_for_a_worker = false;

  loop::executor_type there;

  job quick(int value, milliseconds delay) const {
    return coroutines_mt::on(there, coroutines_adapter::quick(value, delay));
  }
  job fails(std::string what, milliseconds delay) const {
    return coroutines_mt::on(there, coroutines_adapter::fails(std::move(what), delay));
  }
  job long_running(flags& f) const {
    return coroutines_mt::on(there, coroutines_adapter::long_running(f));
  }
  job fails_when_cancelled(flags& f) const {
    return coroutines_mt::on(there, coroutines_adapter::fails_when_cancelled(f));
  }

  template <class F>
  static void run(F scenario) {
    coroutines_mt::event_loops loops(2);
    loops.run([&]() -> loop::task<void> {
      coroutines_mt_adapter a{{co_await asio::this_coro::executor}, loops.executor(1)};
      co_await scenario(a);
    });
  }
};

// The threads and tbb scenarios' coroutine: it runs to its end when called, on the caller's
// thread, since everything it awaits is ready.
struct inline_scenario {
  struct promise_type {
    inline_scenario get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() {
      ADD_FAILURE() << "unexpected exception: " << error_message(std::current_exception());
    }
  };
};

// What a blocking call gave, for a scenario to co_await: ready at once.
template <class T>
struct ready {
  T value;
  bool await_ready() const noexcept { return true; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  T await_resume() { return std::move(value); }
};

// What the threads and tbb models share: every call blocks the caller until it has its answer.
template <class Self>
struct on_the_callers_thread {
  using scenario = inline_scenario;
  static constexpr bool gather_is_a_task = false;

  // The poller sleeps between looks: no core burnt.
  static std::suspend_never sleep(milliseconds d) {
    std::this_thread::sleep_for(d);
    return {};
  }
  static bool is_cancelled(const std::exception_ptr& e) { return holds_task_cancelled(e); }
  template <class F>
  static void run(F scenario) {
    Self a;
    scenario(a);
  }
};

// threads: a std::jthread per task, cancellation through std::stop_token.
struct threads_adapter : on_the_callers_thread<threads_adapter> {
  using model = models::threads_model;
  using job = threads::stoppable<int>;
  static constexpr bool started_by_the_next_wait = false;
  static constexpr bool cancel_can_skip = false;  // its thread always runs it, to the first wait
  static constexpr bool may_wait_for_a_worker = false;

  static job quick(int value, milliseconds delay) {
    return [=](std::stop_token stop) {
      threads::sleep_for(delay, stop);
      return value;
    };
  }
  static job fails(std::string what, milliseconds delay) {
    return [=](std::stop_token stop) -> int {
      threads::sleep_for(delay, stop);
      throw std::runtime_error(what);
    };
  }
  static job long_running(flags& f) {
    return [&f](std::stop_token stop) {
      f.started = true;
      cleanup guard{f.cleaned};
      threads::sleep_for(forever, stop);
      return -1;
    };
  }
  static job fails_when_cancelled(flags& f) {
    return [&f](std::stop_token stop) { return fail_when_cancelled(f, stop); };
  }

  static threads::future_task<int> spawn(job j) { return threads::future_task<int>(std::move(j)); }
  static ready<int> result(threads::future_task<int>& t) { return {t.get()}; }
  static ready<std::optional<int>> wait_for(job j, milliseconds d) {
    threads::future_task<int> t(std::move(j));
    return {threads::wait_for(t, d)};
  }
  static ready<std::vector<int>> gather_first_error(std::vector<job> jobs) {
    return {threads::gather_first_error<int>(std::move(jobs))};
  }
  static ready<std::vector<outcome<int>>> gather_collect(std::vector<job> jobs) {
    return {threads::gather_collect<int>(std::move(jobs))};
  }
};

// tbb: task_group::cancel() plus a cooperative check in the task.
struct tbb_adapter : on_the_callers_thread<tbb_adapter> {
  using model = models::tbb_model;
  using job = std::function<int()>;
  static constexpr bool started_by_the_next_wait = false;
  static constexpr bool cancel_can_skip = true;  // a cancelled task_group starts no more tasks
  static constexpr bool may_wait_for_a_worker = true;

  static constexpr unsigned arena = 2;

  static job quick(int value, milliseconds delay) {
    return [=] {
      tbb_model::sleep_for(delay);
      return value;
    };
  }
  static job fails(std::string what, milliseconds delay) {
    return [=]() -> int {
      tbb_model::sleep_for(delay);
      throw std::runtime_error(what);
    };
  }
  static job long_running(flags& f) {
    return [&f] {
      f.started = true;
      cleanup guard{f.cleaned};
      tbb_model::sleep_for(forever);
      return -1;
    };
  }
  // When its group is cancelled, its clean-up itself fails.
  static job fails_when_cancelled(flags& f) {
    return [&f]() -> int {
      f.started = true;
      cleanup guard{f.cleaned};
      try {
        tbb_model::sleep_for(forever);
      } catch (const task_cancelled&) {
        throw std::runtime_error("error while cancelling");
      }
      return -1;
    };
  }
  // Waits (a while at most) until the task `f` watches has started: a worker has taken it.
  static job waits_until_started(const flags& f) {
    return [&f]() -> int {
      const auto give_up = std::chrono::steady_clock::now() + 5s;
      while (!f.started && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(1ms);
      return 0;
    };
  }

  static tbb_model::async_task<int> spawn(job j) {
    return tbb_model::async_task<int>(arena, std::move(j));
  }
  static ready<int> result(tbb_model::async_task<int>& t) { return {t.get()}; }
  static ready<std::optional<int>> wait_for(job j, milliseconds d) {
    tbb_model::async_task<int> t(arena, std::move(j));
    return {tbb_model::wait_for(t, d)};
  }
  static ready<std::vector<int>> gather_first_error(std::vector<job> jobs) {
    return {tbb_model::gather_first_error<int>(arena, std::move(jobs))};
  }
  static ready<std::vector<outcome<int>>> gather_collect(std::vector<job> jobs) {
    return {tbb_model::gather_collect<int>(arena, std::move(jobs))};
  }
};

// fibers: every task a fiber on the loop thread; the scenario runs on a fiber too, and each call
// suspends it until the answer is there (so, as for threads, every await is ready at once).
struct fibers_adapter {
  using model = models::fibers_model;
  using scenario = inline_scenario;
  using job = fibers::job<int>;
  static constexpr bool gather_is_a_task = false;
  static constexpr bool started_by_the_next_wait = true;  // a spawned fiber runs at once
  static constexpr bool cancel_can_skip = false;          // it ends at its first wait
  static constexpr bool may_wait_for_a_worker = false;

  fibers::yield_context yield;

  static job quick(int value, milliseconds delay) {
    return [=](fibers::yield_context y) {
      fibers::sleep_for(delay, y);
      return value;
    };
  }
  static job fails(std::string what, milliseconds delay) {
    return [=](fibers::yield_context y) -> int {
      fibers::sleep_for(delay, y);
      throw std::runtime_error(what);
    };
  }
  static job long_running(flags& f) {
    return [&f](fibers::yield_context y) {
      f.started = true;
      cleanup guard{f.cleaned};
      fibers::sleep_for(forever, y);
      return -1;
    };
  }
  static job fails_when_cancelled(flags& f) {
    return [&f](fibers::yield_context y) -> int {
      f.started = true;
      cleanup guard{f.cleaned};
      try {
        fibers::sleep_for(forever, y);
      } catch (const boost::system::system_error&) {
        throw std::runtime_error("error while cancelling");
      }
      return -1;
    };
  }

  fibers::task<int> spawn(job j) const { return fibers::task<int>(yield, std::move(j)); }
  ready<int> result(fibers::task<int>& t) const { return {t.get(yield)}; }
  std::suspend_never sleep(milliseconds d) const {
    fibers::sleep_for(d, yield);
    return {};
  }
  ready<std::optional<int>> wait_for(job j, milliseconds d) const {
    return {fibers::wait_for(std::move(j), d, yield)};
  }
  ready<std::vector<int>> gather_first_error(std::vector<job> jobs) const {
    return {fibers::gather_first_error(std::move(jobs), yield)};
  }
  ready<std::vector<outcome<int>>> gather_collect(std::vector<job> jobs) const {
    return {fibers::gather_collect(std::move(jobs), yield)};
  }
  static bool is_cancelled(const std::exception_ptr& e) { return is_cancellation(e); }

  template <class F>
  static void run(F scenario) {
    fibers::run([&](fibers::yield_context y) {
      fibers_adapter a{y};
      scenario(a);
    });
  }
};

// Every concurrent model's adapter (the sequential model has nothing to cancel or poll).
using all = ::testing::Types<coroutines_adapter, executor_adapter, coroutines_mt_adapter,
                             threads_adapter, tbb_adapter, fibers_adapter>;

}  // namespace concur::model_adapters
