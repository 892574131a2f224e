#pragma once
// What the loop models share: the scenarios driven from a coroutine on one loop thread, which
// spawns, cancels, times out, polls and gathers tasks (models/loop_control.hpp). The models differ
// in what a task is: `Tasks` makes them (long_task(ended), poll_task(d) and gather_task(i), each a
// loop::task<int>) and names the exception a cancelled one ends with.
#include <boost/system/system_error.hpp>
#include <chrono>
#include <stdexcept>

#include "models/loop_control.hpp"
#include "workloads/techniques/techniques.hpp"

namespace concur::techniques::on_loop {

// Tasks that are coroutines whose waits are timers on their loop; cancelled, a pending wait ends
// with operation_aborted.
struct coroutine_tasks {
  using cancelled = boost::system::system_error;

  static loop::task<int> long_task(clock::time_point& ended) {
    const clean_up stamp{ended};
    co_await loop::sleep_for(forever);
    co_return -1;
  }

  static loop::task<int> poll_task(std::chrono::milliseconds d) {
    co_await loop::sleep_for(d);
    co_return 1;
  }

  static loop::task<int> gather_task(std::size_t i) {
    co_await loop::sleep_for(gather_delay(i));
    if (gather_fails(i)) throw std::runtime_error(gather_error(i));
    co_return gather_values[i];
  }
};

// Lets a long task run `cancel_after`, cancels it, and awaits its end.
template <class Tasks>
loop::task<void> cancel_rounds(const Tasks& tasks, const params& p, result& r) {
  auto ex = co_await loop::asio::this_coro::executor;
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    auto task = loop::spawn(ex, tasks.long_task(ended));
    co_await loop::sleep_for(p.cancel_after);
    const auto request = clock::now();
    task.cancel();
    bool cancelled = false;
    try {
      co_await task.result();
    } catch (const typename Tasks::cancelled&) {
      cancelled = true;
    }
    count_cancel(r, cancelled, request, ended);
  }
}

template <class Tasks>
loop::task<void> wait_for_rounds(const Tasks& tasks, const params& p, result& r) {
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    const auto deadline = clock::now() + p.timeout;
    const auto value = co_await loop::wait_for(tasks.long_task(ended), p.timeout);
    count_timeout(r, !value, deadline);
  }
}

// Polls the task's done() every 1 ms, sleeping on the loop in between.
template <class Tasks>
loop::task<void> poll(const Tasks& tasks, const params& p, result& r) {
  auto ex = co_await loop::asio::this_coro::executor;
  auto task = loop::spawn(ex, tasks.poll_task(p.poll_task));
  const poll_clock poller;
  while (!task.done()) co_await loop::sleep_for(std::chrono::milliseconds(1));
  poller.stop(r);
  const int value = co_await task.result();
  r.polled += static_cast<std::size_t>(value);
}

template <class Tasks>
loop::task<void> gather(const Tasks& tasks, result& r) {
  const auto make = [&tasks](std::size_t i) { return tasks.gather_task(i); };
  auto first = gather_list(make), all = gather_list(make);
  try {
    co_await loop::gather_first_error(std::move(first));
  } catch (const std::exception& e) {
    r.first_error = e.what();
  }
  const auto outcomes = co_await loop::gather_collect(std::move(all));
  r.collected = describe(outcomes);
}

template <class Tasks>
loop::task<void> scenarios(const Tasks& tasks, const params& p, result& r) {
  co_await cancel_rounds(tasks, p, r);
  co_await wait_for_rounds(tasks, p, r);
  co_await poll(tasks, p, r);
  co_await gather(tasks, r);
}

}  // namespace concur::techniques::on_loop
