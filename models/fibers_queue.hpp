#pragma once
// asyncio.Queue for fibers: a bounded queue on an Asio experimental channel, used in blocking
// style. put() suspends the fiber while the queue is full, get() while it is empty; task_done()
// and join() work as in asyncio; close() ends the consumers' get() with std::nullopt. One thread.
#include <algorithm>
#include <boost/asio/experimental/channel.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <optional>

#include "models/fibers.hpp"

namespace concur::fibers {

template <class T>
class queue {
 public:
  queue(executor_type ex, std::size_t capacity)
      : capacity_(std::max<std::size_t>(1, capacity)),
        channel_(ex, capacity_),
        joined_(ex, steady_timer::time_point::max()) {}

  // Suspends while the queue is full; false once it is closed.
  bool put(T item, yield_context yield) {
    ++unfinished_;  // before the send: a consumer may take the item before this fiber resumes
    boost::system::error_code ec;
    channel_.async_send(boost::system::error_code{}, std::move(item), yield[ec]);
    if (ec) {
      task_done();
      return false;
    }
    // The channel completes the receiver before the sender: counting here never exceeds what it
    // held.
    high_water_ =
        std::max(high_water_, static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, ++in_queue_)));
    return true;
  }

  // Suspends while the queue is empty; std::nullopt once it is closed.
  std::optional<T> get(yield_context yield) {
    boost::system::error_code ec;
    T item = channel_.async_receive(yield[ec]);
    if (ec) return std::nullopt;
    --in_queue_;
    return item;
  }

  void task_done() {
    if (unfinished_ > 0 && --unfinished_ == 0) joined_.cancel();
  }

  // Suspends until every item put has been got and marked done.
  void join(yield_context yield) {
    boost::system::error_code ignored;
    while (unfinished_ > 0) joined_.async_wait(yield[ignored]);
  }

  // Ends the stream; items still buffered are dropped, so join() first.
  void close() { channel_.close(); }

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

}  // namespace concur::fibers
