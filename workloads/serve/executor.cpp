// executor: the loop accepts and reads, and parses each request; the handler runs on the pool
// (run_in_executor), and the loop writes its answer. One loop thread and pool_threads workers.
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/write.hpp>

#include "models/executor.hpp"
#include "net/loop_socket.hpp"
#include "workloads/serve/protocol.hpp"
#include "workloads/serve/serve.hpp"

namespace concur::serve {
namespace {

namespace asio = boost::asio;

loop::task<void> session(net::loop_socket socket, asio::thread_pool& pool,
                         const site_answers& answers, server_counters& counters) {
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
      const auto r = reader.next();
      if (!r) break;
      const auto handler = [&answers, r = *r] { return respond(answers, r); };
      const answer a = co_await executor::run_in_executor(pool, handler);
      auto [write_error, written] =
          co_await asio::async_write(socket, asio::buffer(a.bytes), net::as_tuple);
      counters.answered.fetch_add(1, std::memory_order_relaxed);
      open = !write_error && !a.close;
    }
  }
  socket.close(ignored);
}

loop::task<void> accept_loop(net::loop_acceptor acceptor, asio::thread_pool& pool,
                             const site_answers& answers, server_counters& counters) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple);
    if (ec) {  // out of descriptors, or a connection reset before accept: pause, keep serving
      co_await loop::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), pool, answers, counters),
                   asio::detached);
  }
}

}  // namespace

void serve_site(models::executor_model, const server_context& ctx) {
  executor::event_loop loop(ctx.config.pool_threads);
  loop.run([&]() -> loop::task<void> {
    net::loop_acceptor acceptor(co_await asio::this_coro::executor, net::tcp::v4(), ctx.listener);
    ctx.ready({});
    co_await accept_loop(std::move(acceptor), loop.pool(), ctx.answers, ctx.counters);
  });
}

}  // namespace concur::serve
