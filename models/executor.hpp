#pragma once
// executor: coroutines on one loop thread; each blocking call runs on a fixed thread pool and is
// awaited (run_in_executor), so at most pool-size blocking calls are in flight.
#include <boost/asio/thread_pool.hpp>
#include <type_traits>
#include <utility>

#include "models/loop.hpp"

namespace concur::executor {

using loop::gather;
using loop::task;

// The loop thread (the caller) plus the pool; the pool joins when this goes out of scope.
class event_loop {
 public:
  explicit event_loop(unsigned pool_threads) : pool_(pool_threads) {}
  ~event_loop() { pool_.join(); }

  boost::asio::thread_pool& pool() { return pool_; }

  template <class F>
  auto run(F make_main) {
    return loop::run(ctx_, std::move(make_main));
  }

 private:
  boost::asio::io_context ctx_{1};
  boost::asio::thread_pool pool_;
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
