#pragma once
// What asyncio.Queue keeps, on an Asio experimental channel: the channel, the items put and not
// yet marked done (for join()), and the high-water mark. Shared by the event loop's queue
// (models/loop_queue.hpp, co_await) and the fibers' (models/fibers_queue.hpp, yield), which add
// only how they suspend. One thread only.
#include <algorithm>
#include <boost/asio/experimental/channel.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>

#include "models/loop.hpp"

namespace concur::loop {

template <class T>
class channel_queue {
 public:
  channel_queue(executor_type ex, std::size_t capacity)
      : capacity_(std::max<std::size_t>(1, capacity)),
        channel_(ex, capacity_),
        joined_(ex, steady_timer::time_point::max()) {}

  // The consumer has finished with an item it got (queue.task_done()).
  void task_done() {
    if (unfinished_ > 0 && --unfinished_ == 0) joined_.cancel();
  }

  // Ends the stream: waiting and later gets return std::nullopt. Items still buffered are
  // dropped, so join() first.
  void close() { channel_.close(); }

  std::size_t capacity() const { return capacity_; }
  std::size_t high_water() const { return high_water_; }
  std::size_t unfinished() const { return unfinished_; }

 protected:
  using channel_type =
      asio::experimental::basic_channel<executor_type, asio::experimental::channel_traits<>,
                                        void(boost::system::error_code, T)>;

  // Before a send: a consumer may take the item before the sender resumes.
  void sending() { ++unfinished_; }

  // After a send; false when the queue was closed. A sent item is in the buffer or handed to a
  // consumer that has not resumed yet; the channel completes the receiver before the sender, so
  // counting here never exceeds what it held.
  bool sent(const boost::system::error_code& ec) {
    if (ec) {
      task_done();
      return false;
    }
    high_water_ =
        std::max(high_water_, static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, ++in_queue_)));
    return true;
  }

  void received() { --in_queue_; }

 private:
  std::size_t capacity_;  // before channel_, which is made with it

 protected:
  channel_type channel_;
  steady_timer joined_;

 private:
  std::size_t unfinished_ = 0;
  std::ptrdiff_t in_queue_ = 0;
  std::size_t high_water_ = 0;
};

}  // namespace concur::loop
