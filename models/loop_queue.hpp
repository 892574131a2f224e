#pragma once
// asyncio.Queue for the event loop (coroutines and executor models): a bounded queue on an Asio
// experimental channel. put() suspends while it is full, get() while it is empty; task_done() and
// join() work as in asyncio; close() ends the consumers' get() with std::nullopt. One thread only.
#include <algorithm>
#include <boost/asio/experimental/channel.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <optional>

#include "models/loop.hpp"

namespace concur::loop {

template <class T>
class queue {
 public:
  queue(executor_type ex, std::size_t capacity)
      : capacity_(std::max<std::size_t>(1, capacity)),
        channel_(ex, capacity_),
        joined_(ex, steady_timer::time_point::max()) {}

  // Suspends while the queue is full; false once it is closed.
  task<bool> put(T item) {
    ++unfinished_;  // before the send: a consumer may take the item before this coroutine resumes
    auto [ec] = co_await channel_.async_send(boost::system::error_code{}, std::move(item),
                                             asio::as_tuple(use_task));
    if (ec) {
      task_done();
      co_return false;
    }
    // A sent item is in the buffer or handed to a consumer that has not resumed yet; the channel
    // completes the receiver before the sender, so counting here never exceeds what it held.
    high_water_ =
        std::max(high_water_, static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, ++in_queue_)));
    co_return true;
  }

  // Suspends while the queue is empty; std::nullopt once it is closed.
  task<std::optional<T>> get() {
    auto [ec, item] = co_await channel_.async_receive(asio::as_tuple(use_task));
    if (ec) co_return std::nullopt;
    --in_queue_;
    co_return std::optional<T>(std::move(item));
  }

  // The consumer has finished with an item it got (queue.task_done()).
  void task_done() {
    if (unfinished_ > 0 && --unfinished_ == 0) joined_.cancel();
  }

  // Suspends until every item put has been got and marked done (queue.join()).
  task<void> join() {
    while (unfinished_ > 0) co_await joined_.async_wait(asio::as_tuple(use_task));
  }

  // Ends the stream: waiting and later get() calls return std::nullopt. Items still buffered are
  // dropped, so join() first.
  void close() { channel_.close(); }

  std::size_t capacity() const { return capacity_; }
  std::size_t high_water() const { return high_water_; }
  std::size_t unfinished() const { return unfinished_; }

 private:
  using channel_type =
      asio::experimental::basic_channel<executor_type, asio::experimental::channel_traits<>,
                                        void(boost::system::error_code, T)>;
  std::size_t capacity_;
  channel_type channel_;
  steady_timer joined_;
  std::size_t unfinished_ = 0;
  std::ptrdiff_t in_queue_ = 0;
  std::size_t high_water_ = 0;
};

}  // namespace concur::loop
