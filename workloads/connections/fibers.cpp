// fibers: a fiber per connection on one thread, each written as blocking code (connect, send,
// read until the reply is whole) that suspends on its yield_context; an idle connection holds its
// socket and the pages of its stack it touched.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <string_view>

#include "models/fibers.hpp"
#include "workloads/connections/connections.hpp"

namespace concur::connections {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

void long_poll(client_run& run, std::size_t i, fibers::yield_context yield) {
  boost::system::error_code ec;
  asio::basic_stream_socket<tcp, fibers::executor_type> socket(yield.get_executor());
  tcp::endpoint to;
  std::memcpy(to.data(), &run.endpoint_of(i), sizeof(sockaddr_in));
  socket.async_connect(to, yield[ec]);
  if (ec) return run.failed(i, ec.value(), "connect");
  run.work->opened();
  std::array<char, client_run::request_capacity> request;
  std::string_view during = "send";
  asio::async_write(socket, asio::buffer(request.data(), run.request(i, request.data())),
                    yield[ec]);
  if (!ec) {
    run.work->sent();
    during = "read";
    reply_reader reader;
    std::array<char, 1024> in;  // on the fiber's stack: one page of it
    for (bool whole = false; !whole && !ec;) {
      const std::size_t n = socket.async_read_some(asio::buffer(in), yield[ec]);
      if (!ec) whole = reader.feed(in.data(), n);
      if (whole || ec == asio::error::eof) run.replies[i] = reader.take(!whole);
    }
  }
  boost::system::error_code ignored;
  socket.close(ignored);
  run.work->closed();
  if (ec && ec != asio::error::eof) run.failed(i, ec.value(), during);
}

}  // namespace

template <>
result workload::run(models::fibers_model, const params& p, const models::config&) {
  return run_clients(p, [](client_run& run) {
    fibers::run([&run](fibers::yield_context yield) {
      fibers::group clients(yield, run.connections);
      // A server that never answers must not hang the run: at the deadline the waits end.
      fibers::steady_timer deadline(yield.get_executor(), run.deadline);
      deadline.async_wait([&clients](boost::system::error_code ec) {
        if (!ec) clients.cancel();
      });
      for (std::size_t i = 0; i < run.connections; ++i)
        clients.spawn([&run, i](fibers::yield_context yield) { long_poll(run, i, yield); });
      clients.wait();
    });
  });
}

}  // namespace concur::connections
