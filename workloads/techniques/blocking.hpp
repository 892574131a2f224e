#pragma once
// What the threads and tbb models share: the caller drives each scenario from its own thread,
// blocking on a handle to a task that runs on another (threads::future_task, tbb_model::async_task:
// cancel(), done(), get(), and the wait_for of models/completion.hpp).
#include <chrono>
#include <exception>
#include <string>
#include <thread>

#include "models/completion.hpp"
#include "models/outcome.hpp"
#include "workloads/techniques/techniques.hpp"

namespace concur::techniques::blocking {

// Lets the task run `after`, cancels it, and blocks for its end (its clean-up stamps `ended`).
template <class Task>
void cancel_mid_flight(Task& task, std::chrono::microseconds after, const clock::time_point& ended,
                       result& r) {
  std::this_thread::sleep_for(after);
  const auto request = clock::now();
  task.cancel();
  bool cancelled = false;
  try {
    task.get();
  } catch (const task_cancelled&) {
    cancelled = true;
  }
  count_cancel(r, cancelled, request, ended);
}

template <class Task>
void time_out(Task& task, std::chrono::milliseconds timeout, result& r) {
  const auto deadline = clock::now() + timeout;
  count_timeout(r, !concur::wait_for(task, timeout), deadline);
}

// Polls the task's done() every 1 ms, sleeping in between.
template <class Task>
void poll(Task& task, result& r) {
  const poll_clock poller;
  while (!task.done()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  poller.stop(r);
  r.polled += static_cast<std::size_t>(task.get());
}

// The message of the error gather() throws (gather in first-error mode).
template <class Gather>
std::string first_error(Gather gather) {
  try {
    gather();
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

}  // namespace concur::techniques::blocking
