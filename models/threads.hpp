#pragma once
// threads: one std::jthread per task; every task runs concurrently, join() blocks the caller.
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/workload.hpp"

namespace concur::threads {

// What the OS allows, for the message when it refuses a thread.
std::string thread_limit_message(std::size_t started, std::size_t wanted,
                                 const std::system_error& e);

class task_group {
 public:
  explicit task_group(std::size_t expected) : wanted_(expected) { threads_.reserve(expected); }
  task_group(const task_group&) = delete;
  task_group& operator=(const task_group&) = delete;
  ~task_group() { stop_and_join(); }

  // Starts f(stop_token) or f() on a thread of its own. When the OS refuses the thread, the
  // threads already started are stopped and joined, and resource_exhausted says where it stopped.
  template <class F>
  void spawn(F f) {
    try {
      threads_.emplace_back([this, f = std::move(f)](std::stop_token stop) mutable {
        try {
          if constexpr (std::is_invocable_v<F&, std::stop_token>)
            f(std::move(stop));
          else
            f();
        } catch (...) {
          std::scoped_lock lock(mutex_);
          if (!first_error_) first_error_ = std::current_exception();
        }
      });
    } catch (const std::system_error& e) {
      const std::size_t started = threads_.size();
      stop_and_join();
      throw resource_exhausted(thread_limit_message(started, wanted_, e));
    }
  }

  // Waits for every thread, then rethrows the first exception a task threw.
  void join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    if (first_error_) std::rethrow_exception(std::exchange(first_error_, nullptr));
  }

  void request_stop() {
    for (auto& t : threads_) t.request_stop();
  }

 private:
  void stop_and_join() {
    request_stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

  std::size_t wanted_;
  std::vector<std::jthread> threads_;
  std::mutex mutex_;
  std::exception_ptr first_error_;
};

}  // namespace concur::threads
