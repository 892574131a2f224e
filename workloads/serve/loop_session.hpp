#pragma once
// A connection served on an Asio loop by a C++20 coroutine: the coroutines, coroutines_mt and
// processes servers' (each runs its loops its own way). Asio: include from .cpp files only.
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

#include "net/loop_socket.hpp"
#include "workloads/serve/protocol.hpp"

namespace concur::serve {

inline loop::task<void> loop_session(net::loop_socket socket, const site_answers& answers,
                                     server_counters& counters) {
  namespace asio = boost::asio;
  counters.accepted.fetch_add(1, std::memory_order_relaxed);
  boost::system::error_code ignored;
  socket.set_option(net::tcp::no_delay(true), ignored);
  request_reader reader;
  for (bool open = true; open;) {
    auto [ec, n] = co_await socket.async_read_some(
        asio::buffer(reader.space(), reader.space_size()), net::as_tuple);
    if (ec) break;
    reader.received(n);
    while (open) {
      const auto a = reader.next(answers);
      if (!a) break;
      auto [write_error, written] =
          co_await asio::async_write(socket, asio::buffer(a->bytes), net::as_tuple);
      counters.answered.fetch_add(1, std::memory_order_relaxed);
      open = !write_error && !a->close;
    }
  }
  socket.close(ignored);
}

// Accepts on `acceptor` for ever, each connection a loop_session on the loop `next_loop()` gives
// (the acceptor's own, or another: coroutines_mt deals them out).
template <class NextLoop>
loop::task<void> accept_sessions(net::loop_acceptor acceptor, const site_answers& answers,
                                 server_counters& counters, NextLoop next_loop) {
  namespace asio = boost::asio;
  for (;;) {
    const loop::executor_type loop = next_loop();
    auto [ec, socket] = co_await acceptor.async_accept(loop, net::as_tuple);
    if (ec) {  // out of descriptors, or a connection reset before accept: pause, keep serving
      loop::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(10));
      co_await pause.async_wait(net::as_tuple);
      continue;
    }
    asio::co_spawn(loop, loop_session(std::move(socket), answers, counters), asio::detached);
  }
}

}  // namespace concur::serve
