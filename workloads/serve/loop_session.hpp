#pragma once
// A connection served on an Asio loop by a C++20 coroutine: the coroutines, coroutines_mt,
// executor and processes servers' (each runs its loops, and its handler, its own way). Asio:
// include from .cpp files only.
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <type_traits>

#include "net/loop_socket.hpp"
#include "workloads/serve/protocol.hpp"

namespace concur::serve {

// The site's answer, given where the request was read.
inline auto answer_here(const site_answers& answers) {
  return [&answers](const request& r) { return respond(answers, r); };
}

// Serves one connection; `handle(request)` gives its answer, or a task that does (the executor's
// handler, on its pool).
template <class Handler>
loop::task<void> loop_session(net::loop_socket socket, Handler handle, server_counters& counters) {
  namespace asio = boost::asio;
  const counted_connection counted(counters);
  boost::system::error_code ignored;
  socket.set_option(net::tcp::no_delay(true), ignored);
  request_reader reader;
  for (bool open = true; open;) {
    auto [ec, n] = co_await socket.async_read_some(
        asio::buffer(reader.space(), reader.space_size()), net::as_tuple);
    if (ec) break;
    reader.received(n);
    while (open) {
      const auto r = reader.next();
      if (!r) break;
      answer a;
      if constexpr (std::is_same_v<std::invoke_result_t<Handler&, const request&>, answer>)
        a = handle(*r);
      else
        a = co_await handle(*r);
      auto [write_error, written] =
          co_await asio::async_write(socket, asio::buffer(a.bytes), net::as_tuple);
      counters.answered.fetch_add(1, std::memory_order_relaxed);
      open = !write_error && !a.close;
    }
  }
  socket.close(ignored);
}

// Accepts on `acceptor` for ever, each connection a loop_session with `handle` on the loop
// `next_loop()` gives (the acceptor's own, or another: coroutines_mt deals them out).
template <class Handler, class NextLoop>
loop::task<void> accept_sessions(net::loop_acceptor acceptor, Handler handle,
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
    asio::co_spawn(loop, loop_session(std::move(socket), handle, counters), asio::detached);
  }
}

}  // namespace concur::serve
