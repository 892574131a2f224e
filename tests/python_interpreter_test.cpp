// The course's Python runs in a kept interpreter per script and thread (baselines/python/
// interpreter.hpp): the runs of one thread share it, one killed or stopped at its deadline is
// replaced at the next run, and none outlives the thread that started it.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "baselines/python/baselines.hpp"
#include "tests/support.hpp"
#include "workloads/sleep/sleep.hpp"

namespace concur {
namespace {

using namespace std::chrono_literals;

using concur::testing::gone;

// The py-asyncio cell of a sleep case: n tasks of d each.
baseline asyncio_sleep(std::size_t n, std::chrono::milliseconds d) {
  for (auto& b : python::baselines(sleep::params{n, d, true}))
    if (b.name == "py-asyncio") return b;
  throw std::logic_error("no py-asyncio cell");
}

script_run run(const baseline& b, double timeout_s = 60) {
  return b.script(models::config::defaults(), timeout_s);
}

TEST(python_interpreter, a_threads_runs_share_one_interpreter_and_a_killed_one_is_replaced) {
  const auto cell = asyncio_sleep(10, 1ms);
  if (!cell.unavailable.empty()) GTEST_SKIP() << cell.unavailable;
  const auto first = run(cell);
  const auto second = run(cell);
  ASSERT_GT(first.interpreter_pid, 0);
  EXPECT_EQ(first.interpreter_pid, second.interpreter_pid);
  EXPECT_FALSE(gone(first.interpreter_pid));
  ASSERT_EQ(::kill(static_cast<pid_t>(first.interpreter_pid), SIGKILL), 0);
  const auto after = run(cell);  // the dead interpreter is noticed and another one started
  EXPECT_NE(after.interpreter_pid, first.interpreter_pid);
  EXPECT_TRUE(gone(first.interpreter_pid));
  EXPECT_TRUE(std::any_cast<const sleep::workload::result_type&>(after.result) ==
              sleep::workload::reference(sleep::params{10, 1ms, true}));
}

TEST(python_interpreter, a_run_past_its_deadline_is_stopped_and_the_next_run_starts_afresh) {
  const auto slow = asyncio_sleep(1, 60s);
  if (!slow.unavailable.empty()) GTEST_SKIP() << slow.unavailable;
  long stopped = 0;
  try {
    run(slow, 1);
    ADD_FAILURE() << "a 60 s run ended within its 1 s deadline";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("was stopped after 1 s"), std::string::npos) << what;
    stopped = std::stol(what.substr(what.find("pid ") + 4));
  }
  EXPECT_TRUE(gone(stopped)) << stopped;
  const auto next = run(asyncio_sleep(10, 1ms));
  EXPECT_GT(next.interpreter_pid, 0);
  EXPECT_NE(next.interpreter_pid, stopped);
}

// The parent of a process, from /proc (0 when it is gone).
long parent_of(long pid) {
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return 0;
  long parent = 0;
  const int read = std::fscanf(f, "%*d (%*[^)]) %*c %ld", &parent);
  std::fclose(f);
  return read == 1 ? parent : 0;
}

// The processes whose grandparent is `pid`: a kept interpreter's runs' worker processes.
std::set<long> grandchildren_of(long pid) {
  std::set<long> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const long p = std::stol(name);
    if (const long parent = parent_of(p); parent > 0 && parent_of(parent) == pid) out.insert(p);
  }
  return out;
}

// A py-processes run stopped at its deadline: its interpreter is killed, the run dies with it, and
// the run's worker processes with the run (PR_SET_PDEATHSIG at each step).
TEST(python_interpreter, a_py_processes_run_past_its_deadline_leaves_no_worker) {
  baseline slow;
  for (auto& b : python::baselines(sleep::params{2, 60s, true}))
    if (b.name == "py-processes") slow = b;
  if (!slow.unavailable.empty()) GTEST_SKIP() << slow.unavailable;
  const long interpreter = run(asyncio_sleep(10, 1ms)).interpreter_pid;  // this thread's sleep.py
  std::atomic<bool> stopped = false;
  std::set<long> workers;
  std::thread watch([&] {  // the run's workers, seen while it runs
    while (!stopped) {
      for (const long w : grandchildren_of(interpreter)) workers.insert(w);
      std::this_thread::sleep_for(20ms);
    }
  });
  EXPECT_THROW(run(slow, 3), std::runtime_error);
  stopped = true;
  watch.join();
  EXPECT_FALSE(workers.empty()) << "no worker process of the run was seen";
  for (int i = 0; i < 100 && !std::all_of(workers.begin(), workers.end(), gone); ++i)
    std::this_thread::sleep_for(50ms);
  for (const long w : workers) EXPECT_TRUE(gone(w)) << "worker " << w << " outlived its run";
}

TEST(python_interpreter, no_interpreter_outlives_the_thread_that_started_it) {
  const auto cell = asyncio_sleep(10, 1ms);
  if (!cell.unavailable.empty()) GTEST_SKIP() << cell.unavailable;
  long pid = 0;
  std::thread([&] { pid = run(cell).interpreter_pid; }).join();
  ASSERT_GT(pid, 0);
  // Killed as the thread ended (process.hpp's death signal); reaped by whoever adopts it.
  for (int i = 0; i < 600 && !gone(pid); ++i) std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(gone(pid)) << pid;
}

}  // namespace
}  // namespace concur
