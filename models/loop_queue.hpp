#pragma once
// asyncio.Queue for the event loop (coroutines and executor models): a bounded queue on an Asio
// experimental channel. put() suspends while it is full, get() while it is empty; task_done() and
// join() work as in asyncio; close() ends the consumers' get() with std::nullopt. One thread only.
#include <optional>

#include "models/channel_queue.hpp"

namespace concur::loop {

template <class T>
class queue : public channel_queue<T> {
 public:
  using channel_queue<T>::channel_queue;

  // Suspends while the queue is full; false once it is closed.
  task<bool> put(T item) {
    this->sending();
    auto [ec] = co_await this->channel_.async_send(boost::system::error_code{}, std::move(item),
                                                   asio::as_tuple(use_task));
    co_return this->sent(ec);
  }

  // Suspends while the queue is empty; std::nullopt once it is closed.
  task<std::optional<T>> get() {
    auto [ec, item] = co_await this->channel_.async_receive(asio::as_tuple(use_task));
    if (ec) co_return std::nullopt;
    this->received();
    co_return std::optional<T>(std::move(item));
  }

  // Suspends until every item put has been got and marked done (queue.join()).
  task<void> join() {
    while (this->unfinished() > 0) co_await this->joined_.async_wait(asio::as_tuple(use_task));
  }
};

}  // namespace concur::loop
