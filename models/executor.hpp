#pragma once
// executor: coroutines on one loop thread; each blocking call runs on a fixed thread pool and is
// awaited (run_in_executor), so at most pool-size blocking calls are in flight.
#include <boost/asio/thread_pool.hpp>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/workload.hpp"
#include "models/loop.hpp"
#include "models/threads.hpp"

namespace concur::executor {

using loop::gather;
using loop::task;

// The loop thread (the caller) plus the pool; the pool joins when this goes out of scope.
// The pool's threads are started here and attached to it, not by thread_pool's constructor: when
// the OS refuses one, that constructor joins the threads it started, which wait for work forever
// (a hang). Here the pool is stopped, its threads joined, and resource_exhausted says where.
class event_loop {
 public:
  explicit event_loop(unsigned pool_threads) : pool_(0) {
    threads_.reserve(pool_threads);
    try {
      for (unsigned i = 0; i < pool_threads; ++i) threads_.emplace_back([this] { pool_.attach(); });
    } catch (const std::system_error& e) {
      pool_.stop();
      join_threads();
      throw resource_exhausted(threads::thread_limit_message(threads_.size(), pool_threads, e));
    }
  }
  ~event_loop() {
    pool_.wait();  // the pool's threads return once its work is done, as thread_pool::join()
    join_threads();
  }

  boost::asio::thread_pool& pool() { return pool_; }

  template <class F>
  auto run(F make_main) {
    return loop::run(ctx_, std::move(make_main));
  }

 private:
  void join_threads() {
    for (auto& t : threads_) t.join();
  }

  boost::asio::io_context ctx_{1};
  boost::asio::thread_pool pool_;
  std::vector<std::thread> threads_;
};

// loop.run_in_executor(pool, fn): fn runs on a pool thread; the awaiting coroutine resumes on
// its own loop with fn's value or exception.
// Callers pass a named callable, not a temporary: GCC 12 destroys a non-trivial temporary inside a
// co_await full-expression twice.
template <class F>
task<std::invoke_result_t<F&>> run_in_executor(boost::asio::thread_pool& pool, F fn) {
  using R = std::invoke_result_t<F&>;
  using pool_executor = boost::asio::thread_pool::executor_type;
  return boost::asio::co_spawn(
      pool.get_executor(),
      [fn = std::move(fn)]() mutable -> boost::asio::awaitable<R, pool_executor> {
        co_return fn();
      },
      loop::use_task);
}

}  // namespace concur::executor
