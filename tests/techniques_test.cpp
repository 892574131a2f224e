// The task techniques in every concurrent model: await a result, poll done(), cancel mid-flight
// (its clean-up runs), wait_for with a deadline, and gather in "first error" and "collect" modes,
// including the unhappy orders: cancel after completion, cancel before the task started, a
// deadline at the moment of completion, an error raised while cancelling. Each scenario is written
// once, as a coroutine over a small adapter per model (its tasks, spawn, await, wait_for, gather);
// in the threads and tbb models every await is ready at once, so the scenario runs straight
// through on the caller's thread. The same scenarios give the same answers in every model, and
// leave no thread or file descriptor behind. Where models genuinely differ (whether a cancel can
// skip a task that has not started), an adapter says so in a trait and the scenario asks it.
// (The sequential model has nothing running beside the caller, so nothing to cancel or poll.)
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tests/model_adapters.hpp"
#include "tests/support.hpp"
#include "workloads/techniques/techniques.hpp"

namespace concur {
namespace {

using namespace model_adapters;

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

// ---------------------------------------------------------------------------------------------
// The scenarios, once for every model. Tasks are named locals before they are awaited: GCC 12
// mishandles non-trivial temporaries inside a co_await.

// A task a cancel reached has ended with its clean-up run; where it may still have been waiting
// for a worker, the cancel may have skipped it: then it neither started nor cleaned up.
template <class A>
void expect_ended(const flags& f) {
  if constexpr (A::may_wait_for_a_worker) {
    EXPECT_EQ(f.started.load(), f.cleaned.load());
  } else {
    EXPECT_TRUE(f.cleaned);
  }
}

template <class A>
typename A::scenario await_and_poll(A& a) {
  auto quick_7 = a.quick(7, 1ms);
  auto awaited = a.spawn(std::move(quick_7));
  const int value = co_await a.result(awaited);
  EXPECT_EQ(value, 7);

  auto quick_8 = a.quick(8, 5ms);
  auto polled = a.spawn(std::move(quick_8));
  int polls = 0;
  while (!polled.done()) {
    ++polls;
    co_await a.sleep(1ms);
  }
  EXPECT_GT(polls, 0);
  const int polled_value = co_await a.result(polled);
  EXPECT_EQ(polled_value, 8);
}

template <class A>
typename A::scenario cancel(A& a) {
  flags first;
  auto long_1 = a.long_running(first);
  auto running = a.spawn(std::move(long_1));
  co_await a.sleep(2ms);
  if constexpr (A::started_by_the_next_wait) {
    EXPECT_TRUE(first.started);
  }
  running.cancel();
  std::exception_ptr error;
  try {
    co_await a.result(running);
  } catch (...) {
    error = std::current_exception();
  }
  EXPECT_TRUE(A::is_cancelled(error));
  expect_ended<A>(first);
  // A task that may never have started may never be done.
  if constexpr (!A::may_wait_for_a_worker) {
    EXPECT_TRUE(running.done());
  }

  // Cancelled before it ever ran: it never runs where a cancel can skip it, else it ends at its
  // first wait and its clean-up runs.
  flags second;
  auto long_2 = a.long_running(second);
  auto unstarted = a.spawn(std::move(long_2));
  unstarted.cancel();
  error = nullptr;
  try {
    co_await a.result(unstarted);
  } catch (...) {
    error = std::current_exception();
  }
  EXPECT_TRUE(A::is_cancelled(error));
  EXPECT_EQ(second.started.load(), second.cleaned.load());
  if constexpr (!A::cancel_can_skip) {
    EXPECT_TRUE(second.cleaned);
  }

  // Cancel after completion: nothing happens, the value stays.
  auto quick_9 = a.quick(9, 0ms);
  auto finished = a.spawn(std::move(quick_9));
  const int value = co_await a.result(finished);
  finished.cancel();
  EXPECT_TRUE(finished.done());
  EXPECT_EQ(value, 9);
}

template <class A>
typename A::scenario timeout(A& a) {
  flags late_task;
  auto long_1 = a.long_running(late_task);
  const auto late = co_await a.wait_for(std::move(long_1), 5ms);
  EXPECT_FALSE(late.has_value());
  expect_ended<A>(late_task);  // the task was cancelled and had ended before wait_for returned

  auto quick_5 = a.quick(5, 1ms);
  const auto in_time = co_await a.wait_for(std::move(quick_5), 10s);
  EXPECT_EQ(in_time, std::optional<int>(5));

  // The deadline at the moment the task completes: either answer, never both, nothing left.
  auto quick_6 = a.quick(6, 3ms);
  const auto tie = co_await a.wait_for(std::move(quick_6), 3ms);
  EXPECT_TRUE(!tie || *tie == 6);

  // The task's own error comes through.
  auto boom = a.fails("boom", 1ms);
  EXPECT_THROW(co_await a.wait_for(std::move(boom), 10s), std::runtime_error);
}

template <class A>
typename A::scenario gather_modes(A& a) {
  flags long_task, failing_task;
  std::vector<typename A::job> tasks;
  if constexpr (A::may_wait_for_a_worker) {
    // Task 0 waits until a worker has taken task 3, so that task 3 is running when task 1
    // fails: its clean-up then raises an error of its own, which is dropped.
    tasks.push_back(a.waits_until_started(failing_task));
  } else {
    tasks.push_back(a.quick(0, 1ms));
  }
  tasks.push_back(a.fails(first_failure, 3ms));
  tasks.push_back(a.long_running(long_task));
  tasks.push_back(a.fails_when_cancelled(failing_task));
  std::string error;
  try {
    co_await a.gather_first_error(std::move(tasks));
  } catch (const std::exception& e) {
    error = e.what();
  }
  EXPECT_EQ(error, first_failure);
  expect_ended<A>(long_task);
  expect_ended<A>(failing_task);

  std::vector<typename A::job> more;
  more.push_back(a.quick(10, 2ms));
  more.push_back(a.fails("task 1 failed", 1ms));
  more.push_back(a.quick(12, 0ms));
  more.push_back(a.fails("task 3 failed", 2ms));
  const auto outcomes = co_await a.gather_collect(std::move(more));
  EXPECT_EQ(describe(outcomes), collected);

  if constexpr (A::gather_is_a_task) {
    // The old gather is unchanged: values in task order.
    std::vector<typename A::job> plain;
    plain.push_back(a.quick(1, 2ms));
    plain.push_back(a.quick(2, 0ms));
    const auto values = co_await loop::gather(std::move(plain));
    EXPECT_EQ(values, (std::vector<int>{1, 2}));

    // Cancelling a gather cancels every task in it, and waits for their ends.
    flags one, two;
    std::vector<typename A::job> longs;
    longs.push_back(a.long_running(one));
    longs.push_back(a.long_running(two));
    auto both = loop::gather_first_error(std::move(longs));
    const auto gathered = co_await loop::wait_for(std::move(both), 3ms);
    EXPECT_FALSE(gathered.has_value());
    EXPECT_TRUE(one.cleaned && two.cleaned);
  }
}

std::size_t entries(const char* dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

template <class A>
void run_every_scenario() {
  A::run([](A& a) { return await_and_poll(a); });
  A::run([](A& a) { return cancel(a); });
  A::run([](A& a) { return timeout(a); });
  A::run([](A& a) { return gather_modes(a); });
}

template <class A>
class techniques : public ::testing::Test {};

struct model_name {
  template <class A>
  static std::string GetName(int) {
    return std::string(A::model::name);
  }
};

TYPED_TEST_SUITE(techniques, model_adapters::all, model_name);

TYPED_TEST(techniques, await_and_poll) {
  TypeParam::run([](TypeParam& a) { return await_and_poll(a); });
}
TYPED_TEST(techniques, cancel) {
  TypeParam::run([](TypeParam& a) { return cancel(a); });
}
TYPED_TEST(techniques, timeout) {
  TypeParam::run([](TypeParam& a) { return timeout(a); });
}
TYPED_TEST(techniques, gather_modes) {
  TypeParam::run([](TypeParam& a) { return gather_modes(a); });
}

// Every scenario once to warm up the pools a model keeps (oneTBB's workers stay), then again: the
// second round must leave exactly the threads and descriptors it found.
TYPED_TEST(techniques, nothing_left_behind) {
  run_every_scenario<TypeParam>();
  const std::size_t threads = entries("/proc/self/task"), fds = entries("/proc/self/fd");
  run_every_scenario<TypeParam>();
  EXPECT_EQ(threads, entries("/proc/self/task")) << "threads left behind";
  EXPECT_EQ(fds, entries("/proc/self/fd")) << "file descriptors left behind";
}

// processes (not in the adapters: a task there is a job in a worker process): the parent's
// SIGTERM cancels the long task, whose clean-up runs in the worker and is reported back, and
// wait_for's deadline does the same; every worker is reaped by the end of the run.
TEST(techniques_in_processes, a_cancelled_worker_cleans_up_and_says_so) {
  using namespace std::chrono_literals;
  const concur::techniques::params p{
      .rounds = 3, .cancel_after = 1ms, .timeout = 1ms, .poll_task = 5ms};
  const auto r =
      concur::techniques::workload::run(models::processes_model{}, p, models::config::defaults());
  EXPECT_EQ(r.cancelled, 3u);
  EXPECT_EQ(r.cleaned_up, 3u);
  EXPECT_EQ(r.timed_out, 3u);
  ASSERT_EQ(r.cancel_latency_us.size(), 3u);
  for (const double us : r.cancel_latency_us) {
    EXPECT_GE(us, 0.0);  // the worker's clean-up ended after the parent's request (one clock)
    EXPECT_LT(us, 10e6);
  }
  EXPECT_EQ(r.first_error, first_failure);
  EXPECT_EQ(r.collected, collected);
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1) << "a worker left behind";
}

}  // namespace
}  // namespace concur
