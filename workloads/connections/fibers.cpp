// fibers: a fiber per connection on one thread, each written as blocking code (connect, send,
// read until the reply is whole) that suspends on its yield_context; an idle connection holds its
// socket and the pages of its stack it touched. Readiness: each fiber makes its connection's
// exchanges in a loop, and whichever reply arrives resumes its fiber.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <string_view>

#include "models/fibers.hpp"
#include "workloads/connections/connections.hpp"
#include "workloads/connections/readiness.hpp"

namespace concur::connections {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using socket_type = asio::basic_stream_socket<tcp, fibers::executor_type>;

void connect(socket_type& socket, const sockaddr_in& to, fibers::yield_context yield,
             boost::system::error_code& ec) {
  tcp::endpoint endpoint;
  std::memcpy(endpoint.data(), &to, sizeof(sockaddr_in));
  socket.async_connect(endpoint, yield[ec]);
}

// Reads until the reply is whole or the peer has closed; `ec` is set on any other error.
reply receive(socket_type& socket, fibers::yield_context yield, boost::system::error_code& ec) {
  reply_reader reader;
  std::array<char, 1024> in;  // on the fiber's stack: one page of it
  for (;;) {
    const std::size_t n = socket.async_read_some(asio::buffer(in), yield[ec]);
    if (!ec && reader.feed(in.data(), n)) return reader.take(false);
    if (ec == asio::error::eof) {
      ec = {};
      return reader.take(true);
    }
    if (ec) return {};
  }
}

void long_poll(client_run& run, std::size_t i, fibers::yield_context yield) {
  boost::system::error_code ec;
  socket_type socket(yield.get_executor());
  connect(socket, run.endpoint_of(i), yield, ec);
  if (ec) return run.failed(i, ec.value(), "connect");
  run.work->opened();
  std::array<char, client_run::request_capacity> request;
  std::string_view during = "send";
  asio::async_write(socket, asio::buffer(request.data(), run.request(i, request.data())),
                    yield[ec]);
  if (!ec) {
    run.work->sent();
    during = "read";
    run.replies[i] = receive(socket, yield, ec);
  }
  boost::system::error_code ignored;
  socket.close(ignored);
  run.work->closed();
  if (ec) run.failed(i, ec.value(), during);
}

void exchanges(exchange_run& run, std::size_t i, fibers::yield_context yield) {
  boost::system::error_code ec;
  socket_type socket(yield.get_executor());
  connect(socket, run.endpoint_of(i), yield, ec);
  if (ec) return run.failed(i, ec.value(), "connect");
  run.work->opened();
  std::string_view during;
  for (std::size_t k = 0; k < run.exchanges && !ec; ++k) {
    std::array<char, exchange_run::request_capacity> request;
    during = "send";
    asio::async_write(socket, asio::buffer(request.data(), run.request(i, k, request.data())),
                      yield[ec]);
    if (k == 0 && !ec) run.work->sent();
    if (ec) break;
    during = "read";
    reply r = receive(socket, yield, ec);
    if (!ec) run.replies[i].push_back(std::move(r));
  }
  boost::system::error_code ignored;
  socket.close(ignored);
  run.work->closed();
  if (ec) run.failed(i, ec.value(), during);
}

// A fiber running client(run, i, yield) per connection; at the deadline the waits end (a
// server that never answers must not hang the run).
template <class Run, class Client>
void fiber_per_connection(Run& run, Client client) {
  fibers::run([&run, client](fibers::yield_context yield) {
    fibers::group clients(yield, run.connections);
    fibers::steady_timer deadline(yield.get_executor(), run.deadline);
    deadline.async_wait([&clients](boost::system::error_code ec) {
      if (!ec) clients.cancel();
    });
    for (std::size_t i = 0; i < run.connections; ++i)
      clients.spawn([&run, client, i](fibers::yield_context yield) { client(run, i, yield); });
    clients.wait();
  });
}

}  // namespace

template <>
result workload::run(models::fibers_model, const params& p, const models::config&) {
  return run_clients(p, [](client_run& run) { fiber_per_connection(run, long_poll); });
}

template <>
readiness_result readiness_workload::run(models::fibers_model, const readiness_params& p,
                                         const models::config&) {
  return run_exchanges(p, [](exchange_run& run) { fiber_per_connection(run, exchanges); });
}

}  // namespace concur::connections
