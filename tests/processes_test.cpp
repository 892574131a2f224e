// The processes model's plumbing (models/processes.hpp): jobs handed to worker processes and
// their answers gathered in order; a worker that dies, or a job that fails, is a clear error and
// leaves no process behind; the workers' CPU and memory reach the parent's accounts.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/cpu_time.hpp"
#include "models/loop_control.hpp"
#include "models/processes.hpp"
#include "models/processes_queue.hpp"
#include "tests/support.hpp"
#include "workloads/prodcons/prodcons.hpp"
#include "workloads/sleep/sleep.hpp"

namespace concur {
namespace {

using processes::message;
using processes::message_reader;

// True when `pid` is no child of ours any more, running or zombie: it was reaped.
bool reaped(pid_t pid) {
  return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

// Answers job "n" with n * n and the worker's pid; "kill" raises SIGKILL on itself, "exit" exits
// with status 3, "throw" fails the job.
std::string square(std::string_view job) {
  if (job == "kill") ::raise(SIGKILL);
  if (job == "exit") ::_exit(3);
  if (job == "throw") throw std::runtime_error("this job cannot be done");
  const auto n = std::stoull(std::string(job));
  return message{}.put(n * n).put(static_cast<std::uint64_t>(::getpid())).take();
}

// Hands out every job at once and gathers the answers in job order.
std::vector<std::string> hand_out(processes::pool& workers, const std::vector<std::string>& jobs) {
  return workers.run([&]() -> processes::task<std::vector<std::string>> {
    std::vector<processes::task<std::string>> answers;
    for (const auto& job : jobs) answers.push_back(workers.submit(job));
    co_return co_await processes::gather(std::move(answers));
  });
}

TEST(processes, answers_come_back_in_job_order_from_every_worker) {
  processes::pool workers(3, square);
  const auto pids = workers.pids();
  std::vector<std::string> jobs;
  for (int n = 0; n < 12; ++n) jobs.push_back(std::to_string(n));
  const auto answers = hand_out(workers, jobs);
  ASSERT_EQ(answers.size(), jobs.size());
  std::set<std::uint64_t> answered_by;
  for (std::uint64_t n = 0; n < answers.size(); ++n) {
    message_reader answer(answers[n]);
    EXPECT_EQ(answer.number(), n * n);
    answered_by.insert(answer.number());
  }
  // The first three jobs go to the three idle workers at once: each answered some.
  EXPECT_EQ(answered_by.size(), 3u);
  EXPECT_FALSE(answered_by.contains(static_cast<std::uint64_t>(::getpid())));
  for (const pid_t pid : pids) EXPECT_TRUE(reaped(pid)) << pid;
}

TEST(processes, the_sleep_workload_gathers_uneven_shares_in_task_order) {
  auto config = models::config::defaults();
  config.worker_processes = 3;
  const sleep::params p{7, std::chrono::milliseconds(1)};
  EXPECT_EQ(sleep::workload::run(models::processes_model{}, p, config),
            sleep::workload::reference(p));
}

// Runs the jobs on a pool of `n` and returns what the run threw ("" when nothing), after checking
// that every worker was reaped.
std::string failure_of(std::size_t n, const std::vector<std::string>& jobs) {
  std::vector<pid_t> pids;
  std::string what;
  try {
    processes::pool workers(n, square);
    pids = workers.pids();
    hand_out(workers, jobs);
  } catch (const std::exception& e) {
    what = e.what();
  }
  for (const pid_t pid : pids) EXPECT_TRUE(reaped(pid)) << "worker " << pid << " left behind";
  return what;
}

TEST(processes, a_worker_killed_by_a_signal_is_named_and_reaped) {
  const auto what = failure_of(2, {"1", "kill", "2", "3"});
  EXPECT_NE(what.find("processes: worker "), std::string::npos) << what;
  EXPECT_NE(what.find("was killed by signal 9"), std::string::npos) << what;
  EXPECT_NE(what.find("before answering its job"), std::string::npos) << what;
}

TEST(processes, a_worker_that_exits_is_named_with_its_status_and_reaped) {
  const auto what = failure_of(2, {"exit", "4"});
  EXPECT_NE(what.find("exited with status 3"), std::string::npos) << what;
}

// With its only worker dead, the jobs still waiting for one fail at once: no hang.
TEST(processes, jobs_left_without_a_worker_fail_rather_than_wait) {
  const auto what = failure_of(1, {"kill", "5", "6"});
  EXPECT_NE(what.find("was killed by signal 9"), std::string::npos) << what;
}

TEST(processes, a_failed_job_carries_its_message_and_the_worker_goes_on) {
  processes::pool workers(1, square);
  const auto pids = workers.pids();
  std::string error;
  const auto after = workers.run([&]() -> processes::task<std::string> {
    try {
      co_await workers.submit("throw");
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
    co_return co_await workers.submit("7");
  });
  EXPECT_NE(error.find("this job cannot be done"), std::string::npos) << error;
  EXPECT_EQ(message_reader(after).number(), 49u);
  for (const pid_t pid : pids) EXPECT_TRUE(reaped(pid)) << pid;
}

// The workers are reaped inside the run, so their CPU is in RUSAGE_CHILDREN when it returns: the
// harness's process CPU (bench/runner.cpp) adds that to its own.
TEST(processes, the_workers_cpu_reaches_the_parents_account_of_its_children) {
  const auto children_cpu = [] {
    rusage u{};
    ::getrusage(RUSAGE_CHILDREN, &u);
    return cpu_time::of_usage(u);
  };
  const double before = children_cpu();
  processes::pool workers(2, [](std::string_view) {
    // Spins until this worker has used 50 ms of CPU, then says how much it used.
    volatile std::uint64_t x = 0;
    while (cpu_time::of_process() < 0.05) x = x + 1;
    const double used = cpu_time::of_process();
    return message{}.put(static_cast<std::uint64_t>(used * 1e9)).take();
  });
  double reported = 0;
  for (const auto& answer : hand_out(workers, {"a", "b"}))
    reported += static_cast<double>(message_reader(answer).number()) * 1e-9;
  EXPECT_GE(reported, 0.1);
  EXPECT_GE(children_cpu() - before, 0.9 * reported);
}

// Each worker measures its own peak-RSS growth from its fork and the run records the sum, which
// the harness adds to the parent's own (bench/runner.cpp).
TEST(processes, the_workers_peak_memory_is_recorded_for_the_harness) {
  constexpr std::size_t touched = 32 << 20;
  processes::reset_workers_memory();
  EXPECT_FALSE(processes::workers_memory_since_reset().ran);
  processes::pool workers(2, [](std::string_view) {
    std::string block(touched, 'x');  // every page written: resident
    return message{}.put(static_cast<std::uint64_t>(block[touched / 2])).take();
  });
  hand_out(workers, {"a", "b"});
  const auto memory = processes::workers_memory_since_reset();
  EXPECT_TRUE(memory.ran);
  if (!memory.peak_growth) GTEST_SKIP() << "the kernel would not reset a worker's VmHWM";
  EXPECT_GE(*memory.peak_growth, static_cast<std::int64_t>(2 * touched * 9 / 10));
}

TEST(processes, a_refused_fork_is_reported_refused_and_leaves_no_worker) {
  const auto r = testing::run_command(CONCUR_PROBE_PROCESS_LIMIT);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("refused: the OS refused worker process"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("of 200 (fork: Resource temporarily unavailable)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("ulimit -u 16"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no worker left behind"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("after the refusal, 2 workers ran fine"), std::string::npos) << r.output;
}

// ---- The queue between processes (models/processes_queue.hpp) ----

// This process's children, in the order they were forked (pids grow but may wrap: by pid is close
// enough for a test that forks two at once).
std::vector<long> children_of_this_process() {
  std::vector<long> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "children");
    for (long pid = 0; in >> pid;) out.push_back(pid);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A worker that dies holding the queue's lock breaks the queue: a worker blocked on it wakes with
// the reason, the run fails naming what happened, nothing hangs and every worker is reaped.
TEST(processes_queue, a_worker_dying_with_the_lock_held_breaks_the_queue_for_everyone) {
  processes::shared_queue queue(2);
  std::vector<pid_t> pids;
  std::string what;
  try {
    processes::pool workers(2, [&queue](std::string_view job) -> std::string {
      if (job == "die") queue.while_locked([] { ::raise(SIGKILL); });
      return message{}.put(queue.get().value_or(0)).take();  // blocks: nothing is ever put
    });
    pids = workers.pids();
    hand_out(workers, {"get", "die"});
  } catch (const std::exception& e) {
    what = e.what();
  }
  const bool told = what.find("was killed by signal 9") != std::string::npos ||
                    what.find("died holding the queue's lock") != std::string::npos;
  EXPECT_TRUE(told) << what;
  EXPECT_EQ(queue.size(), 0u);  // the parent can still take the lock
  // Whoever locked it first after the death was told (EOWNERDEAD) and said so for everyone.
  try {
    queue.put(1);
    ADD_FAILURE() << "a broken queue took an item";
  } catch (const processes::queue_broken& e) {
    EXPECT_NE(std::string(e.what()).find("a process died holding the queue's lock"),
              std::string::npos)
        << e.what();
  }
  for (const pid_t pid : pids) EXPECT_TRUE(reaped(pid)) << pid;
}

// What the parent does when a worker fails: abandon() wakes every waiter with the reason.
TEST(processes_queue, abandon_wakes_a_blocked_put_with_the_reason) {
  processes::shared_queue queue(1);
  queue.put(1);
  processes::pool workers(1, [&queue](std::string_view) {
    queue.put(2);  // the queue is full: blocks until abandoned
    return std::string("put");
  });
  std::string error;
  workers.run([&]() -> processes::task<void> {
    auto ex = co_await loop::asio::this_coro::executor;
    auto put = loop::spawn(ex, workers.submit("x"));
    co_await loop::sleep_for(std::chrono::milliseconds(20));
    queue.abandon("the run failed elsewhere");
    try {
      co_await put.result();
    } catch (const processes::job_failed& e) {
      error = e.job_message();
    }
  });
  EXPECT_NE(error.find("the run failed elsewhere"), std::string::npos) << error;
  EXPECT_THROW(queue.put(3), processes::queue_broken);
}

TEST(processes_queue, items_then_end_marks_in_order_within_capacity) {
  processes::shared_queue queue(3);
  queue.put(7);
  queue.put(8);
  queue.put_end();
  EXPECT_FALSE(queue.try_put_end());  // full: there is no fourth place
  EXPECT_EQ(queue.get(), std::optional<std::uint64_t>(7));
  EXPECT_EQ(queue.get(), std::optional<std::uint64_t>(8));
  EXPECT_EQ(queue.get(), std::nullopt);
  EXPECT_EQ(queue.size(), 0u);
  EXPECT_EQ(queue.high_water(), 3u);
}

// A consumer killed in the middle of a prodcons run: the cell fails with a message instead of
// hanging (the producers would wait for room forever), and no worker is left behind.
TEST(processes_queue, prodcons_with_a_consumer_killed_fails_rather_than_hangs) {
  const prodcons::params p{
      .producers = 1, .consumers = 1, .capacity = 1, .items_per_producer = 2'000'000};
  std::atomic<bool> over{false};
  std::set<long> seen;
  std::jthread killer([&] {  // kills the second worker (the consumer) once it is there
    while (!over) {
      const auto children = children_of_this_process();
      seen.insert(children.begin(), children.end());
      if (children.size() == 2) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        ::kill(static_cast<pid_t>(children.back()), SIGKILL);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::string what;
  try {
    prodcons::workload::run(models::processes_model{}, p, models::config::defaults());
  } catch (const std::exception& e) {
    what = e.what();
  }
  over = true;
  killer.join();
  EXPECT_NE(what.find("killed by signal 9"), std::string::npos) << what;
  for (const long pid : seen) EXPECT_TRUE(testing::gone(pid)) << "worker " << pid << " left";
}

// ---- Cancelling a job by a signal (pool with a cancel signal, wait_for_signal, signal) ----

TEST(processes, a_cancel_signal_reaches_the_job_and_never_kills_the_worker) {
  processes::pool worker(
      1,
      [](std::string_view) {
        const bool came = processes::wait_for_signal(SIGUSR1, std::chrono::seconds(30));
        return message{}.put(came).take();
      },
      SIGUSR1);
  const auto answers = worker.run([&]() -> processes::task<std::vector<std::string>> {
    auto ex = co_await loop::asio::this_coro::executor;
    std::vector<std::string> out;
    for (int i = 0; i < 2; ++i) {  // sent at once: maybe before the worker reads the job
      auto job = loop::spawn(ex, worker.submit("wait"));
      EXPECT_TRUE(worker.signal(0, SIGUSR1));
      out.push_back(co_await job.result());
    }
    co_return out;
  });
  for (const auto& a : answers) EXPECT_EQ(message_reader(a).number(), 1u);
  EXPECT_FALSE(worker.signal(0, SIGUSR1));  // reaped: nothing to signal
}

TEST(processes, a_failed_job_keeps_its_own_message_apart) {
  processes::pool workers(1, square);
  std::string own, whole;
  workers.run([&]() -> processes::task<void> {
    try {
      co_await workers.submit("throw");
    } catch (const processes::job_failed& e) {
      own = e.job_message();
      whole = e.what();
    }
  });
  EXPECT_EQ(own, "this job cannot be done");
  EXPECT_EQ(whole, "processes: worker 1: this job cannot be done");
}

}  // namespace
}  // namespace concur
