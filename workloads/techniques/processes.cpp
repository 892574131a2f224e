// processes: each task a job in a worker process; the parent's loop drives the scenarios.
// - cancel: a signal to the worker running the task, SIGTERM as multiprocessing's
//   Process.terminate() sends. The workers keep it blocked, so it never kills one: the long task
//   waits for it (sigtimedwait), runs its clean-up and answers that it was cancelled, with the
//   moment its clean-up ended (both processes read the one CLOCK_MONOTONIC), which the parent
//   counts from its request as every model does. A worker takes the next task once it answered.
// - wait_for: the parent awaits the answer with a deadline; past it, it cancels the task as above
//   and awaits its end (clean-up done), as asyncio.wait_for does.
// - poll: done() of the parent's task awaiting the answer, every 1 ms.
// - gather: four jobs on four workers; a job's exception comes back through submit (job_failed)
//   and is raised again with its own message, as ProcessPoolExecutor re-raises it. In first-error
//   mode the jobs still running are cancelled the way the loop cancels any awaiting task, and the
//   pool kills (SIGKILL) and reaps a worker whose job it stopped awaiting: their errors are
//   dropped anyway, and a ProcessPoolExecutor cannot stop a running job at all.
#include <signal.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "models/loop_control.hpp"
#include "models/processes.hpp"
#include "workloads/techniques/techniques.hpp"

namespace concur::techniques {
namespace {

using processes::message;
using processes::message_reader;

constexpr int cancel_signal = SIGTERM;

enum kind : std::uint64_t { long_kind, poll_kind, gather_kind };

std::string job(kind k, std::uint64_t argument = 0) {
  return message{}.put(k).put(argument).take();
}

// ---- In a worker ----

// Waits for the cancel signal at most `forever`; cleans up either way.
std::string long_task() {
  clock::time_point ended;
  bool cancelled = false;
  {
    const clean_up stamp{ended};
    cancelled = processes::wait_for_signal(cancel_signal, forever);
  }
  const auto at = std::chrono::duration_cast<std::chrono::nanoseconds>(ended.time_since_epoch());
  return message{}.put(cancelled).put(static_cast<std::uint64_t>(at.count())).take();
}

std::string run_task(std::string_view bytes) {
  message_reader read(bytes);
  const auto k = read.number();
  const auto argument = read.number();
  if (k == long_kind) return long_task();
  if (k == poll_kind) {
    std::this_thread::sleep_for(std::chrono::milliseconds(argument));
    return message{}.put(1).take();
  }
  std::this_thread::sleep_for(gather_delay(argument));
  if (gather_fails(argument)) throw std::runtime_error(gather_error(argument));
  return message{}.put(static_cast<std::uint64_t>(gather_values[argument])).take();
}

// ---- In the parent ----

// How a long task ended, as its answer says.
struct ending {
  bool cancelled;
  clock::time_point ended;
};

ending ending_of(std::string_view answer) {
  message_reader read(answer);
  const bool cancelled = read.number() != 0;
  return {cancelled, clock::time_point(std::chrono::nanoseconds(read.number()))};
}

// Lets a long task run `cancel_after`, cancels its worker, and awaits its answer.
processes::task<void> cancel_rounds(processes::pool& worker, const params& p, result& r) {
  auto ex = co_await loop::asio::this_coro::executor;
  for (std::size_t i = 0; i < p.rounds; ++i) {
    auto task = loop::spawn(ex, worker.submit(job(long_kind)));
    co_await loop::sleep_for(p.cancel_after);
    const auto request = clock::now();
    worker.signal(0, cancel_signal);
    const auto answer = co_await task.result();
    const auto end = ending_of(answer);
    count_cancel(r, end.cancelled, request, end.ended);
  }
}

// At the deadline unless cancelled before: cancels the worker's task; true when it did.
processes::task<bool> cancel_at(loop::steady_timer& deadline, processes::pool& worker) {
  auto [error] = co_await deadline.async_wait(loop::asio::as_tuple(loop::use_task));
  co_return !error && worker.signal(0, cancel_signal);
}

processes::task<void> wait_for_rounds(processes::pool& worker, const params& p, result& r) {
  auto ex = co_await loop::asio::this_coro::executor;
  for (std::size_t i = 0; i < p.rounds; ++i) {
    loop::steady_timer deadline(ex, p.timeout);
    auto watchdog = loop::spawn(ex, cancel_at(deadline, worker));
    const auto answer = co_await worker.submit(job(long_kind));
    deadline.cancel();
    const bool fired = co_await watchdog.result();
    count_timeout(r, fired && ending_of(answer).cancelled, deadline.expiry());
  }
}

processes::task<void> poll(processes::pool& worker, const params& p, result& r) {
  auto ex = co_await loop::asio::this_coro::executor;
  auto task = loop::spawn(
      ex, worker.submit(job(poll_kind, static_cast<std::uint64_t>(p.poll_task.count()))));
  const poll_clock poller;
  while (!task.done()) co_await loop::sleep_for(std::chrono::milliseconds(1));
  poller.stop(r);
  const auto answer = co_await task.result();
  r.polled += message_reader(answer).number();
}

processes::task<int> gather_task(processes::pool& workers, std::size_t i) {
  std::string answer;
  try {
    answer = co_await workers.submit(job(gather_kind, i));
  } catch (const processes::job_failed& e) {
    throw std::runtime_error(e.job_message());
  }
  co_return static_cast<int>(message_reader(answer).number());
}

// The gather scenario in one mode on a pool of its own (first-error mode leaves workers killed).
template <class Gather>
auto gather_on_workers(Gather gather) {
  processes::pool workers(gather_tasks, run_task);
  return workers.run(
      [&] { return gather(gather_list([&](std::size_t i) { return gather_task(workers, i); })); });
}

}  // namespace

// One worker, with the cancel signal blocked, runs the long and polled tasks one after another;
// four more at a time run each gather mode. (--worker-processes does not apply: a scenario has
// the tasks it has.)
template <>
result workload::run(models::processes_model, const params& p, const models::config&) {
  result r;
  processes::pool worker(1, run_task, cancel_signal);
  worker.run([&]() -> processes::task<void> {
    co_await cancel_rounds(worker, p, r);
    co_await wait_for_rounds(worker, p, r);
    co_await poll(worker, p, r);
  });
  try {
    gather_on_workers([](auto tasks) { return loop::gather_first_error(std::move(tasks)); });
  } catch (const std::exception& e) {
    r.first_error = e.what();
  }
  r.collected = describe(
      gather_on_workers([](auto tasks) { return loop::gather_collect(std::move(tasks)); }));
  return r;
}

}  // namespace concur::techniques
