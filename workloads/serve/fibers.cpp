// fibers: a fiber per connection (asio::spawn, a stackful coroutine of fibers_model::stack_bytes)
// on one loop thread, its code written in blocking style: each read and write suspends the fiber
// until it completes.
#include <boost/asio/buffer.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>

#include "models/fibers.hpp"
#include "net/loop_socket.hpp"
#include "workloads/serve/protocol.hpp"
#include "workloads/serve/serve.hpp"

namespace concur::serve {
namespace {

namespace asio = boost::asio;

void session(net::loop_socket socket, const site_answers& answers, server_counters& counters,
             fibers::yield_context yield) {
  const counted_connection counted(counters);
  boost::system::error_code ec;
  socket.set_option(net::tcp::no_delay(true), ec);
  request_reader reader;
  for (bool open = true; open;) {
    const std::size_t n =
        socket.async_read_some(asio::buffer(reader.space(), reader.space_size()), yield[ec]);
    if (ec) break;
    reader.received(n);
    while (open) {
      const auto a = reader.next(answers);
      if (!a) break;
      asio::async_write(socket, asio::buffer(a->bytes), yield[ec]);
      counters.answered.fetch_add(1, std::memory_order_relaxed);
      open = !ec && !a->close;
    }
  }
  socket.close(ec);
}

}  // namespace

template <>
void serve_site(models::fibers_model, const server_context& ctx) {
  fibers::run([&](fibers::yield_context yield) {
    net::loop_acceptor acceptor(yield.get_executor(), net::tcp::v4(), ctx.listener);
    ctx.ready({});
    for (boost::system::error_code ec;;) {
      net::loop_socket socket = acceptor.async_accept(yield[ec]);
      if (ec) {  // out of descriptors, or a connection reset before accept: pause, keep serving
        fibers::steady_timer pause(yield.get_executor(), std::chrono::milliseconds(10));
        pause.async_wait(yield[ec]);
        continue;
      }
      try {
        fibers::spawn(
            yield.get_executor(),
            [&, socket = std::move(socket)](fibers::yield_context y) mutable {
              session(std::move(socket), ctx.answers, ctx.counters, y);
            },
            asio::detached);
      } catch (const std::bad_alloc&) {
        // No stack to be had: the connection closes unanswered (the socket went with the fiber).
      }
    }
  });
}

}  // namespace concur::serve
