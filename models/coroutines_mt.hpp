#pragma once
// coroutines_mt: the coroutines model's Asio C++20 coroutines on `cores` event loops, an
// io_context per thread, with the work spread across them. Each loop is single-threaded, so what
// one loop's coroutines share needs no lock; between loops, work and results travel only as Asio
// handlers (co_spawn on another loop, its completion dispatched back to the caller's loop), and
// the few counters the loops read together are atomics.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>
#include <cstddef>
#include <memory>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/workload.hpp"
#include "models/loop.hpp"
#include "models/threads.hpp"

namespace concur::coroutines_mt {

using loop::executor_type;
using loop::gather;
using loop::sleep_for;
using loop::task;
using loop::use_task;
using timer = loop::steady_timer;
inline constexpr auto& this_executor = loop::asio::this_coro::executor;

namespace detail {

// A cancellation on its way to a task on another loop; touched only on that loop's thread, and
// kept alive by whichever side ends last. (Asio 1.26's own forwarding in co_spawn destroys its
// signal on the caller's loop while the emit it posted may still run on the task's: a race TSan
// reports.)
struct crossing {
  loop::asio::cancellation_signal signal;
  bool requested = false;
};

// On t's loop: runs t there, its cancellation slot the crossing's signal; a cancel that arrived
// before t started means t never starts.
template <class T>
task<T> run_crossed(std::shared_ptr<crossing> c, task<T> t) {
  if (c->requested)
    throw boost::system::system_error(loop::asio::error::operation_aborted, "coroutines_mt::on");
  auto here = co_await loop::asio::this_coro::executor;
  // Named first: GCC 12 mishandles non-trivial temporaries inside a co_await.
  auto spawned = loop::asio::co_spawn(
      here, std::move(t), loop::asio::bind_cancellation_slot(c->signal.slot(), use_task));
  co_return co_await std::move(spawned);
}

}  // namespace detail

// Runs t on the loop of `ex` and resumes the caller on its own loop with t's value or exception.
// Cancelling the caller cancels t: the request is posted to t's loop and emitted there.
template <class T>
task<T> on(executor_type ex, task<T> t) {
  namespace asio = loop::asio;
  auto c = std::make_shared<detail::crossing>();
  auto state = co_await asio::this_coro::cancellation_state;
  if (auto slot = state.slot(); slot.is_connected())  // else the caller cannot be cancelled
    slot.assign([ex, c](asio::cancellation_type type) {
      asio::post(ex, [c, type] {
        c->requested = true;
        c->signal.emit(type);
      });
    });
  // No slot of its own: co_spawn's forwarding would replace the one assigned above.
  auto crossed = detail::run_crossed(c, std::move(t));
  auto spawned = asio::co_spawn(ex, std::move(crossed),
                                asio::bind_cancellation_slot(asio::cancellation_slot(), use_task));
  co_return co_await std::move(spawned);
}

// `n` event loops, each an io_context run by one thread: the caller's thread runs the first
// (asyncio.run), a thread each the others, for the length of run().
class event_loops {
 public:
  explicit event_loops(unsigned n) : contexts_(n < 1 ? 1 : n) {
    for (auto& c : contexts_) {
      c = std::make_unique<loop::asio::io_context>(1);
      // A loop's reactor (its epoll, eventfd and timerfd descriptors) is made by its first timer
      // or socket: made now, so a run that uses up the descriptors is refused at a connection,
      // never at another loop's first timer.
      [[maybe_unused]] const loop::steady_timer make_reactor(c->get_executor());
    }
  }

  std::size_t size() const { return contexts_.size(); }
  executor_type executor(std::size_t i) const { return contexts_[i % size()]->get_executor(); }

  // Runs the coroutine make_main() returns on the first loop, the other loops on threads of their
  // own meanwhile; returns its value or rethrows its exception once every loop has ended.
  template <class F>
  auto run(F make_main) {
    loop_threads others(*this);
    if constexpr (std::is_void_v<typename std::invoke_result_t<F&>::value_type>) {
      loop::run(*contexts_[0], std::move(make_main));
      others.join();
    } else {
      auto out = loop::run(*contexts_[0], std::move(make_main));
      others.join();
      return out;
    }
  }

  // Runs make(i) on loop i for every loop at once and gathers their values in loop order.
  template <class F>
  auto on_each(F make)
      -> task<std::vector<typename std::invoke_result_t<F&, std::size_t>::value_type>> {
    using T = typename std::invoke_result_t<F&, std::size_t>::value_type;
    std::vector<task<T>> parts;
    for (std::size_t i = 0; i < size(); ++i) parts.push_back(on(executor(i), make(i)));
    co_return co_await gather(std::move(parts));
  }

 private:
  // The threads of loops 1..n-1 for one run: each runs its loop, kept waiting for work by a guard
  // until join() (or an exception) releases it. A thread the OS refuses is resource_exhausted.
  class loop_threads {
   public:
    explicit loop_threads(event_loops& loops) {
      const std::size_t n = loops.size() - 1;
      threads_.reserve(n);
      for (std::size_t i = 1; i <= n; ++i) {
        loops.contexts_[i]->restart();
        busy_.emplace_back(loops.executor(i));
      }
      try {
        for (std::size_t i = 1; i <= n; ++i)
          threads_.emplace_back([c = loops.contexts_[i].get()] { c->run(); });
      } catch (const std::system_error& e) {
        const std::size_t started = threads_.size();
        join();
        throw resource_exhausted(threads::thread_limit_message(started, n, e));
      }
    }
    loop_threads(const loop_threads&) = delete;
    loop_threads& operator=(const loop_threads&) = delete;
    ~loop_threads() { join(); }

    // Lets each loop end once it has run out of work, and waits for it.
    void join() {
      for (auto& g : busy_) g.reset();
      threads_.clear();
    }

   private:
    std::vector<loop::asio::executor_work_guard<executor_type>> busy_;
    std::vector<std::jthread> threads_;
  };

  std::vector<std::unique_ptr<loop::asio::io_context>> contexts_;
};

}  // namespace concur::coroutines_mt
