#pragma once
// asyncio.Queue for fibers: a bounded queue on an Asio experimental channel, used in blocking
// style. put() suspends the fiber while the queue is full, get() while it is empty; task_done()
// and join() work as in asyncio; close() ends the consumers' get() with std::nullopt. One thread.
#include <optional>

#include "models/channel_queue.hpp"
#include "models/fibers.hpp"

namespace concur::fibers {

template <class T>
class queue : public loop::channel_queue<T> {
 public:
  using loop::channel_queue<T>::channel_queue;

  // Suspends while the queue is full; false once it is closed.
  bool put(T item, yield_context yield) {
    this->sending();
    boost::system::error_code ec;
    this->channel_.async_send(boost::system::error_code{}, std::move(item), yield[ec]);
    return this->sent(ec);
  }

  // Suspends while the queue is empty; std::nullopt once it is closed.
  std::optional<T> get(yield_context yield) {
    boost::system::error_code ec;
    T item = this->channel_.async_receive(yield[ec]);
    if (ec) return std::nullopt;
    this->received();
    return item;
  }

  // Suspends until every item put has been got and marked done.
  void join(yield_context yield) {
    boost::system::error_code ignored;
    while (this->unfinished() > 0) this->joined_.async_wait(yield[ignored]);
  }
};

}  // namespace concur::fibers
