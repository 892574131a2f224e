// The task techniques in every concurrent model: await a result, poll done(), cancel mid-flight
// (its clean-up runs), wait_for with a deadline, and gather in "first error" and "collect" modes,
// including the unhappy orders: cancel after completion, cancel before the task started, a
// deadline at the moment of completion, an error raised while cancelling. The same scenarios give
// the same answers in every model, and leave no thread or file descriptor behind.
// (The sequential model has nothing running beside the caller, so nothing to cancel or poll.)
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/coroutines.hpp"
#include "models/executor_control.hpp"
#include "models/loop_control.hpp"
#include "models/tbb_control.hpp"
#include "models/threads_control.hpp"

namespace concur {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr auto forever = 30s;  // a task that is not cancelled would make the test time out

// Sets `flag` when it goes out of scope: the task's clean-up ran.
struct cleanup {
  bool& flag;
  ~cleanup() { flag = true; }
};

// A task's outcome as a line, the same in every model.
template <class T>
std::string describe(const outcome<T>& o) {
  if (const T* v = std::get_if<T>(&o)) return std::to_string(*v);
  return "error: " + error_message(std::get<std::exception_ptr>(o));
}
template <class T>
std::vector<std::string> describe(const std::vector<outcome<T>>& os) {
  std::vector<std::string> out;
  for (const auto& o : os) out.push_back(describe(o));
  return out;
}

// The scenarios' expected answers, shared by every model.
const std::vector<std::string> collected{"10", "error: task 1 failed", "12",
                                         "error: task 3 failed"};
constexpr const char* first_failure = "task 1 failed";

std::size_t entries(const char* dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}
struct resources {
  std::size_t threads, fds;
  bool operator==(const resources&) const = default;
};
resources snapshot() {
  return {entries("/proc/self/task"), entries("/proc/self/fd")};
}

// Runs `scenario` once to warm up the pools a model keeps (oneTBB's workers stay), then again:
// the second run must leave exactly what it found.
template <class F>
void expect_nothing_left_behind(F scenario) {
  scenario();
  const resources before = snapshot();
  scenario();
  const resources after = snapshot();
  EXPECT_EQ(before.threads, after.threads) << "threads left behind";
  EXPECT_EQ(before.fds, after.fds) << "file descriptors left behind";
}

// ---------------------------------------------------------------------------------------------
// coroutines: everything on one loop thread, cancellation through Asio cancellation signals.

namespace co {

using coroutines::task;

task<int> quick(int value, std::chrono::milliseconds delay) {
  co_await coroutines::sleep_for(delay);
  co_return value;
}

task<int> fails(std::string what, std::chrono::milliseconds delay) {
  co_await coroutines::sleep_for(delay);
  throw std::runtime_error(what);
}

task<int> long_running(bool& started, bool& cleaned) {
  started = true;
  cleanup guard{cleaned};
  co_await coroutines::sleep_for(forever);
  co_return -1;
}

// When cancelled, its clean-up itself fails.
task<int> fails_when_cancelled(bool& cleaned) {
  cleanup guard{cleaned};
  try {
    co_await coroutines::sleep_for(forever);
  } catch (const boost::system::system_error&) {
    throw std::runtime_error("error while cancelling");
  }
  co_return -1;
}

template <class F>
void run(F make_main) {
  coroutines::run(std::move(make_main));
}

void await_and_poll() {
  run([]() -> task<void> {
    auto ex = co_await asio::this_coro::executor;
    auto awaited = loop::spawn(ex, quick(7, 1ms));
    const int value = co_await awaited.result();
    EXPECT_EQ(value, 7);

    auto polled = loop::spawn(ex, quick(8, 5ms));
    int polls = 0;
    while (!polled.done()) {
      ++polls;
      co_await coroutines::sleep_for(1ms);  // polling sleeps on the loop: no core burnt
    }
    EXPECT_GT(polls, 0);
    const int polled_value = co_await polled.result();
    EXPECT_EQ(polled_value, 8);
  });
}

void cancel() {
  run([]() -> task<void> {
    auto ex = co_await asio::this_coro::executor;
    bool started = false, cleaned = false;
    auto running = loop::spawn(ex, long_running(started, cleaned));
    co_await coroutines::sleep_for(2ms);
    EXPECT_TRUE(started);
    running.cancel();
    std::exception_ptr error;
    try {
      co_await running.result();
    } catch (...) {
      error = std::current_exception();
    }
    EXPECT_TRUE(is_cancellation(error));
    EXPECT_TRUE(cleaned);
    EXPECT_TRUE(running.done());

    // Cancelled before it ever ran: it ends at its first wait, its clean-up runs.
    bool started2 = false, cleaned2 = false;
    auto unstarted = loop::spawn(ex, long_running(started2, cleaned2));
    unstarted.cancel();
    error = nullptr;
    try {
      co_await unstarted.result();
    } catch (...) {
      error = std::current_exception();
    }
    EXPECT_TRUE(is_cancellation(error));
    EXPECT_EQ(started2, cleaned2);

    // Cancel after completion: nothing happens, the value stays.
    auto finished = loop::spawn(ex, quick(9, 0ms));
    const int value = co_await finished.result();
    finished.cancel();
    EXPECT_TRUE(finished.done());
    EXPECT_EQ(value, 9);
  });
}

void timeout() {
  run([]() -> task<void> {
    bool started = false, cleaned = false;
    const auto late = co_await loop::wait_for(long_running(started, cleaned), 5ms);
    EXPECT_FALSE(late.has_value());
    EXPECT_TRUE(cleaned);  // the task was cancelled and had ended before wait_for returned

    const auto in_time = co_await loop::wait_for(quick(5, 1ms), 10s);
    EXPECT_EQ(in_time, std::optional<int>(5));

    // The deadline at the moment the task completes: either answer, never both, nothing left.
    const auto tie = co_await loop::wait_for(quick(6, 3ms), 3ms);
    EXPECT_TRUE(!tie || *tie == 6);

    // The task's own error comes through.
    EXPECT_THROW(co_await loop::wait_for(fails("boom", 1ms), 10s), std::runtime_error);
  });
}

void gather_modes() {
  run([]() -> task<void> {
    bool started = false, cleaned = false, cleaned_failing = false;
    std::vector<task<int>> tasks;
    tasks.push_back(quick(0, 1ms));
    tasks.push_back(fails(first_failure, 3ms));
    tasks.push_back(long_running(started, cleaned));
    tasks.push_back(fails_when_cancelled(cleaned_failing));
    std::string error;
    try {
      co_await loop::gather_first_error(std::move(tasks));
    } catch (const std::exception& e) {
      error = e.what();
    }
    EXPECT_EQ(error, first_failure);
    EXPECT_TRUE(cleaned);
    EXPECT_TRUE(cleaned_failing);

    std::vector<task<int>> more;
    more.push_back(quick(10, 2ms));
    more.push_back(fails("task 1 failed", 1ms));
    more.push_back(quick(12, 0ms));
    more.push_back(fails("task 3 failed", 2ms));
    const auto outcomes = co_await loop::gather_collect(std::move(more));
    EXPECT_EQ(describe(outcomes), collected);

    // The old gather is unchanged: values in task order.
    std::vector<task<int>> plain;
    plain.push_back(quick(1, 2ms));
    plain.push_back(quick(2, 0ms));
    const auto values = co_await loop::gather(std::move(plain));
    EXPECT_EQ(values, (std::vector<int>{1, 2}));

    // Cancelling a gather cancels every task in it, and waits for their ends.
    bool s1 = false, c1 = false, s2 = false, c2 = false;
    std::vector<task<int>> longs;
    longs.push_back(long_running(s1, c1));
    longs.push_back(long_running(s2, c2));
    const auto gathered = co_await loop::wait_for(loop::gather_first_error(std::move(longs)), 3ms);
    EXPECT_FALSE(gathered.has_value());
    EXPECT_TRUE(c1 && c2);
  });
}

}  // namespace co

TEST(techniques_coroutines, await_and_poll) {
  co::await_and_poll();
}
TEST(techniques_coroutines, cancel) {
  co::cancel();
}
TEST(techniques_coroutines, timeout) {
  co::timeout();
}
TEST(techniques_coroutines, gather_modes) {
  co::gather_modes();
}
TEST(techniques_coroutines, nothing_left_behind) {
  expect_nothing_left_behind([] {
    co::await_and_poll();
    co::cancel();
    co::timeout();
    co::gather_modes();
  });
}

// ---------------------------------------------------------------------------------------------
// executor: coroutines on the loop thread, blocking calls on the pool that see a std::stop_token.

namespace ex {

using executor::task;

// A blocking call that sleeps `delay` on a pool thread, waking early when stopped.
task<int> blocking(asio::thread_pool& pool, int value, std::chrono::milliseconds delay,
                   bool* cleaned = nullptr) {
  // A named function object: GCC 12 mishandles non-trivial temporaries inside a co_await.
  auto call = [=](std::stop_token stop) {
    struct on_exit {
      bool* flag;
      ~on_exit() {
        if (flag) *flag = true;
      }
    } guard{cleaned};
    threads::sleep_for(delay, stop);
    return value;
  };
  co_return co_await executor::run_in_executor_stoppable(pool, std::move(call));
}

task<int> blocking_fails(asio::thread_pool& pool, std::string what,
                         std::chrono::milliseconds delay) {
  auto call = [what = std::move(what), delay](std::stop_token stop) -> int {
    threads::sleep_for(delay, stop);
    throw std::runtime_error(what);
  };
  co_return co_await executor::run_in_executor_stoppable(pool, std::move(call));
}

task<int> blocking_fails_when_cancelled(asio::thread_pool& pool, bool& cleaned) {
  auto call = [&cleaned](std::stop_token stop) -> int {
    cleanup guard{cleaned};
    try {
      threads::sleep_for(forever, stop);
    } catch (const task_cancelled&) {
      throw std::runtime_error("error while cancelling");
    }
    return -1;
  };
  co_return co_await executor::run_in_executor_stoppable(pool, std::move(call));
}

template <class F>
void run(F make_main) {
  executor::event_loop loop(4);
  loop.run([&]() -> task<void> { co_await make_main(loop.pool()); });
}

void await_and_poll() {
  run([](asio::thread_pool& pool) -> task<void> {
    auto ex = co_await asio::this_coro::executor;
    auto awaited = loop::spawn(ex, blocking(pool, 7, 1ms));
    const int value = co_await awaited.result();
    EXPECT_EQ(value, 7);
    auto polled = loop::spawn(ex, blocking(pool, 8, 5ms));
    int polls = 0;
    while (!polled.done()) {
      ++polls;
      co_await coroutines::sleep_for(1ms);
    }
    EXPECT_GT(polls, 0);
    const int polled_value = co_await polled.result();
    EXPECT_EQ(polled_value, 8);
  });
}

void cancel() {
  run([](asio::thread_pool& pool) -> task<void> {
    auto ex = co_await asio::this_coro::executor;
    bool cleaned = false;
    auto running = loop::spawn(ex, blocking(pool, -1, forever, &cleaned));
    co_await coroutines::sleep_for(2ms);
    running.cancel();
    std::exception_ptr error;
    try {
      co_await running.result();
    } catch (...) {
      error = std::current_exception();
    }
    EXPECT_TRUE(is_cancellation(error));
    EXPECT_TRUE(cleaned);  // the blocking call saw its stop_token and ended before the await did

    bool cleaned2 = false;
    auto unstarted = loop::spawn(ex, blocking(pool, -1, forever, &cleaned2));
    unstarted.cancel();  // before the call reached the pool: it never runs
    error = nullptr;
    try {
      co_await unstarted.result();
    } catch (...) {
      error = std::current_exception();
    }
    EXPECT_TRUE(is_cancellation(error));

    auto finished = loop::spawn(ex, blocking(pool, 9, 0ms));
    const int value = co_await finished.result();
    finished.cancel();
    EXPECT_TRUE(finished.done());
    EXPECT_EQ(value, 9);
  });
}

void timeout() {
  run([](asio::thread_pool& pool) -> task<void> {
    bool cleaned = false;
    const auto late = co_await loop::wait_for(blocking(pool, -1, forever, &cleaned), 5ms);
    EXPECT_FALSE(late.has_value());
    EXPECT_TRUE(cleaned);
    const auto in_time = co_await loop::wait_for(blocking(pool, 5, 1ms), 10s);
    EXPECT_EQ(in_time, std::optional<int>(5));
    const auto tie = co_await loop::wait_for(blocking(pool, 6, 3ms), 3ms);
    EXPECT_TRUE(!tie || *tie == 6);
    EXPECT_THROW(co_await loop::wait_for(blocking_fails(pool, "boom", 1ms), 10s),
                 std::runtime_error);
  });
}

void gather_modes() {
  run([](asio::thread_pool& pool) -> task<void> {
    bool cleaned = false, cleaned_failing = false;
    std::vector<task<int>> tasks;
    tasks.push_back(blocking(pool, 0, 1ms));
    tasks.push_back(blocking_fails(pool, first_failure, 3ms));
    tasks.push_back(blocking(pool, -1, forever, &cleaned));
    tasks.push_back(blocking_fails_when_cancelled(pool, cleaned_failing));
    std::string error;
    try {
      co_await loop::gather_first_error(std::move(tasks));
    } catch (const std::exception& e) {
      error = e.what();
    }
    EXPECT_EQ(error, first_failure);
    EXPECT_TRUE(cleaned);
    EXPECT_TRUE(cleaned_failing);

    std::vector<task<int>> more;
    more.push_back(blocking(pool, 10, 2ms));
    more.push_back(blocking_fails(pool, "task 1 failed", 1ms));
    more.push_back(blocking(pool, 12, 0ms));
    more.push_back(blocking_fails(pool, "task 3 failed", 2ms));
    const auto outcomes = co_await loop::gather_collect(std::move(more));
    EXPECT_EQ(describe(outcomes), collected);
  });
}

}  // namespace ex

TEST(techniques_executor, await_and_poll) {
  ex::await_and_poll();
}
TEST(techniques_executor, cancel) {
  ex::cancel();
}
TEST(techniques_executor, timeout) {
  ex::timeout();
}
TEST(techniques_executor, gather_modes) {
  ex::gather_modes();
}
TEST(techniques_executor, nothing_left_behind) {
  expect_nothing_left_behind([] {
    ex::await_and_poll();
    ex::cancel();
    ex::timeout();
    ex::gather_modes();
  });
}

// ---------------------------------------------------------------------------------------------
// threads: a std::jthread per task, cancellation through std::stop_token.

namespace th {

std::function<int(std::stop_token)> quick(int value, std::chrono::milliseconds delay) {
  return [=](std::stop_token stop) {
    threads::sleep_for(delay, stop);
    return value;
  };
}
std::function<int(std::stop_token)> fails(std::string what, std::chrono::milliseconds delay) {
  return [=](std::stop_token stop) -> int {
    threads::sleep_for(delay, stop);
    throw std::runtime_error(what);
  };
}
std::function<int(std::stop_token)> long_running(std::atomic<bool>& cleaned) {
  return [&cleaned](std::stop_token stop) {
    struct on_exit {
      std::atomic<bool>& flag;
      ~on_exit() { flag = true; }
    } guard{cleaned};
    threads::sleep_for(forever, stop);
    return -1;
  };
}
std::function<int(std::stop_token)> fails_when_cancelled(std::atomic<bool>& cleaned) {
  return [&cleaned](std::stop_token stop) -> int {
    struct on_exit {
      std::atomic<bool>& flag;
      ~on_exit() { flag = true; }
    } guard{cleaned};
    try {
      threads::sleep_for(forever, stop);
    } catch (const task_cancelled&) {
      throw std::runtime_error("error while cancelling");
    }
    return -1;
  };
}

void await_and_poll() {
  threads::future_task<int> awaited(quick(7, 1ms));
  EXPECT_EQ(awaited.get(), 7);
  threads::future_task<int> polled(quick(8, 5ms));
  int polls = 0;
  while (!polled.done()) {
    ++polls;
    std::this_thread::sleep_for(1ms);  // the poller sleeps between looks: no core burnt
  }
  EXPECT_GT(polls, 0);
  EXPECT_EQ(polled.get(), 8);
}

void cancel() {
  std::atomic<bool> cleaned{false};
  threads::future_task<int> running(long_running(cleaned));
  std::this_thread::sleep_for(2ms);
  running.cancel();
  EXPECT_THROW(running.get(), task_cancelled);
  EXPECT_TRUE(cleaned);
  EXPECT_TRUE(running.done());

  std::atomic<bool> cleaned2{false};
  threads::future_task<int> at_once(long_running(cleaned2));
  at_once.cancel();  // possibly before the thread ran a line: it still ends, cleaned up
  EXPECT_THROW(at_once.get(), task_cancelled);
  EXPECT_TRUE(cleaned2);

  threads::future_task<int> finished(quick(9, 0ms));
  EXPECT_EQ(finished.get(), 9);
  finished.cancel();
  EXPECT_TRUE(finished.done());
}

void timeout() {
  std::atomic<bool> cleaned{false};
  threads::future_task<int> late(long_running(cleaned));
  EXPECT_FALSE(threads::wait_for(late, 5ms).has_value());
  EXPECT_TRUE(cleaned);
  threads::future_task<int> in_time(quick(5, 1ms));
  EXPECT_EQ(threads::wait_for(in_time, 10s), std::optional<int>(5));
  threads::future_task<int> tie(quick(6, 3ms));
  const auto tied = threads::wait_for(tie, 3ms);
  EXPECT_TRUE(!tied || *tied == 6);
  threads::future_task<int> failing(fails("boom", 1ms));
  EXPECT_THROW(threads::wait_for(failing, 10s), std::runtime_error);
}

void gather_modes() {
  std::atomic<bool> cleaned{false}, cleaned_failing{false};
  std::string error;
  try {
    threads::gather_first_error<int>({quick(0, 1ms), fails(first_failure, 3ms),
                                      long_running(cleaned),
                                      fails_when_cancelled(cleaned_failing)});
  } catch (const std::exception& e) {
    error = e.what();
  }
  EXPECT_EQ(error, first_failure);
  EXPECT_TRUE(cleaned);
  EXPECT_TRUE(cleaned_failing);

  const auto outcomes = threads::gather_collect<int>(
      {quick(10, 2ms), fails("task 1 failed", 1ms), quick(12, 0ms), fails("task 3 failed", 2ms)});
  EXPECT_EQ(describe(outcomes), collected);
}

}  // namespace th

TEST(techniques_threads, await_and_poll) {
  th::await_and_poll();
}
TEST(techniques_threads, cancel) {
  th::cancel();
}
TEST(techniques_threads, timeout) {
  th::timeout();
}
TEST(techniques_threads, gather_modes) {
  th::gather_modes();
}
TEST(techniques_threads, nothing_left_behind) {
  expect_nothing_left_behind([] {
    th::await_and_poll();
    th::cancel();
    th::timeout();
    th::gather_modes();
  });
}

// ---------------------------------------------------------------------------------------------
// tbb: task_group::cancel() plus a cooperative check in the task.

namespace tb {

constexpr unsigned arena = 2;

std::function<int()> quick(int value, std::chrono::milliseconds delay) {
  return [=] {
    tbb_model::sleep_for(delay);
    return value;
  };
}
std::function<int()> fails(std::string what, std::chrono::milliseconds delay) {
  return [=]() -> int {
    tbb_model::sleep_for(delay);
    throw std::runtime_error(what);
  };
}
std::function<int()> long_running(std::atomic<bool>& cleaned,
                                  std::atomic<bool>* started = nullptr) {
  return [&cleaned, started] {
    if (started) *started = true;
    struct on_exit {
      std::atomic<bool>& flag;
      ~on_exit() { flag = true; }
    } guard{cleaned};
    tbb_model::sleep_for(forever);
    return -1;
  };
}

void await_and_poll() {
  tbb_model::async_task<int> awaited(arena, quick(7, 1ms));
  EXPECT_EQ(awaited.get(), 7);
  tbb_model::async_task<int> polled(arena, quick(8, 5ms));
  int polls = 0;
  while (!polled.done()) {
    ++polls;
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_GT(polls, 0);
  EXPECT_EQ(polled.get(), 8);
}

void cancel() {
  std::atomic<bool> started{false}, cleaned{false};
  tbb_model::async_task<int> running(arena, long_running(cleaned, &started));
  std::this_thread::sleep_for(2ms);
  running.cancel();
  EXPECT_THROW(running.get(), task_cancelled);  // it saw the cancel, or never started
  EXPECT_EQ(started, cleaned);

  tbb_model::async_task<int> finished(arena, quick(9, 0ms));
  EXPECT_EQ(finished.get(), 9);
  finished.cancel();
  EXPECT_TRUE(finished.done());
}

void timeout() {
  std::atomic<bool> cleaned{false};
  tbb_model::async_task<int> late(arena, long_running(cleaned));
  EXPECT_FALSE(tbb_model::wait_for(late, 5ms).has_value());
  tbb_model::async_task<int> in_time(arena, quick(5, 1ms));
  EXPECT_EQ(tbb_model::wait_for(in_time, 10s), std::optional<int>(5));
  tbb_model::async_task<int> tie(arena, quick(6, 3ms));
  const auto tied = tbb_model::wait_for(tie, 3ms);
  EXPECT_TRUE(!tied || *tied == 6);
  tbb_model::async_task<int> failing(arena, fails("boom", 1ms));
  EXPECT_THROW(tbb_model::wait_for(failing, 10s), std::runtime_error);
}

// When its group is cancelled, its clean-up itself fails.
std::function<int()> fails_when_cancelled(std::atomic<bool>& cleaned, std::atomic<bool>& started) {
  return [&cleaned, &started]() -> int {
    started = true;
    struct on_exit {
      std::atomic<bool>& flag;
      ~on_exit() { flag = true; }
    } guard{cleaned};
    try {
      tbb_model::sleep_for(forever);
    } catch (const task_cancelled&) {
      throw std::runtime_error("error while cancelling");
    }
    return -1;
  };
}

void gather_modes() {
  std::atomic<bool> cleaned{false}, cleaned_failing{false}, failing_started{false};
  // Task 0 waits (a while at most) until a worker has taken task 3, so that task 3 is running
  // when task 1 fails: its clean-up then raises an error of its own, which is dropped.
  auto waits_for_task_3 = [&failing_started]() -> int {
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (!failing_started && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(1ms);
    return 0;
  };
  std::string error;
  try {
    tbb_model::gather_first_error<int>(
        arena, {waits_for_task_3, fails(first_failure, 3ms), long_running(cleaned),
                fails_when_cancelled(cleaned_failing, failing_started)});
  } catch (const std::exception& e) {
    error = e.what();
  }
  EXPECT_EQ(error, first_failure);
  EXPECT_EQ(cleaned_failing, failing_started);

  const auto outcomes = tbb_model::gather_collect<int>(
      arena,
      {quick(10, 2ms), fails("task 1 failed", 1ms), quick(12, 0ms), fails("task 3 failed", 2ms)});
  EXPECT_EQ(describe(outcomes), collected);
}

}  // namespace tb

TEST(techniques_tbb, await_and_poll) {
  tb::await_and_poll();
}
TEST(techniques_tbb, cancel) {
  tb::cancel();
}
TEST(techniques_tbb, timeout) {
  tb::timeout();
}
TEST(techniques_tbb, gather_modes) {
  tb::gather_modes();
}
TEST(techniques_tbb, nothing_left_behind) {
  expect_nothing_left_behind([] {
    tb::await_and_poll();
    tb::cancel();
    tb::timeout();
    tb::gather_modes();
  });
}

}  // namespace
}  // namespace concur
