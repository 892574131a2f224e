#pragma once
// The coroutine client, for any Asio executor (one thread or several): a coroutine per
// connection that connects, writes its request and waits for the reply holding no buffer (it
// waits for readability, then reads into its thread's buffer), so an idle connection costs its
// frame and its socket. Asio is included: include this in model files only.
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <exception>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "workloads/connections/connections.hpp"
#include "workloads/connections/readiness.hpp"

namespace concur::connections {

// Bytes on their way in or out between two suspensions: one buffer per thread serves every
// connection it runs.
inline std::span<char> thread_buffer() {
  thread_local std::array<char, 1024> buffer;
  return buffer;
}

namespace asio_client {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
template <class Executor>
using socket_on = asio::basic_stream_socket<tcp, Executor>;
template <class Executor>
using step = asio::awaitable<error_code, Executor>;
template <class Executor>
constexpr auto as_tuple = asio::as_tuple(asio::use_awaitable_t<Executor>{});

// Connects to `to` and makes the socket non-blocking (for send and receive's direct calls).
template <class Executor>
step<Executor> open(socket_on<Executor>& socket, const sockaddr_in& to) {
  tcp::endpoint endpoint;
  std::memcpy(endpoint.data(), &to, sizeof(sockaddr_in));
  auto [ec] = co_await socket.async_connect(endpoint, as_tuple<Executor>);
  if (!ec) socket.non_blocking(true, ec);
  co_return ec;
}

// Sends `length` bytes from the thread's buffer: a request fits a socket's room, so it goes at
// once, without a suspension (the rest, if any, is copied and awaited).
template <class Executor>
step<Executor> send(socket_on<Executor>& socket, std::size_t length) {
  const auto out = thread_buffer();
  error_code ec;
  const std::size_t written = socket.write_some(asio::buffer(out.data(), length), ec);
  if (!ec && written < length) {
    std::string rest(out.data() + written, length - written);
    auto [write_error, n] =
        co_await asio::async_write(socket, asio::buffer(rest), as_tuple<Executor>);
    ec = write_error;
  }
  co_return ec;
}

// Waits for the reply holding no buffer (readability first, then reads into the thread's buffer
// with no suspension while it is in use); sets `out` when the reply is whole or the peer closed.
template <class Executor>
step<Executor> receive(socket_on<Executor>& socket, reply& out) {
  reply_reader reader;
  for (;;) {
    auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, as_tuple<Executor>);
    while (!ec) {
      const auto in = thread_buffer();
      const std::size_t n = socket.read_some(asio::buffer(in.data(), in.size()), ec);
      if (!ec && reader.feed(in.data(), n)) {
        out = reader.take(false);
        co_return error_code{};
      }
    }
    if (ec == asio::error::would_block) continue;
    if (ec == asio::error::eof) out = reader.take(true);
    co_return ec == asio::error::eof ? error_code{} : ec;
  }
}

}  // namespace asio_client

// The long-poll: connect, send the request, wait for the reply; an idle connection holds its
// frame and its socket only.
template <class Executor>
boost::asio::awaitable<void, Executor> long_poll(client_run& run, std::size_t i) {
  namespace io = asio_client;
  io::socket_on<Executor> socket(co_await boost::asio::this_coro::executor);
  if (const auto ec = co_await io::open(socket, run.endpoint_of(i))) {
    run.failed(i, ec.value(), "connect");
    co_return;
  }
  run.work->opened();
  std::string_view during = "send";
  auto ec = co_await io::send(socket, run.request(i, thread_buffer().data()));
  if (!ec) {
    run.work->sent();
    during = "read";
    ec = co_await io::receive(socket, run.replies[i]);
  }
  io::error_code ignored;
  socket.close(ignored);
  run.work->closed();
  if (ec) run.failed(i, ec.value(), during);
}

// Readiness: connect, then each exchange's request and reply on the connection kept alive. The
// next request waits for the reply, and a reply wakes its own coroutine only: the client serves
// whichever connection is ready.
template <class Executor>
boost::asio::awaitable<void, Executor> exchanges(exchange_run& run, std::size_t i) {
  namespace io = asio_client;
  io::socket_on<Executor> socket(co_await boost::asio::this_coro::executor);
  if (const auto ec = co_await io::open(socket, run.endpoint_of(i))) {
    run.failed(i, ec.value(), "connect");
    co_return;
  }
  run.work->opened();
  io::error_code ec;
  std::string_view during;
  for (std::size_t k = 0; k < run.exchanges && !ec; ++k) {
    during = "send";
    ec = co_await io::send(socket, run.request(i, k, thread_buffer().data()));
    if (k == 0 && !ec) run.work->sent();
    if (ec) break;
    during = "read";
    reply r;
    ec = co_await io::receive(socket, r);
    if (!ec) run.replies[i].push_back(std::move(r));
  }
  io::error_code ignored;
  socket.close(ignored);
  run.work->closed();
  if (ec) run.failed(i, ec.value(), during);
}

// The first exception of any connection (a refused descriptor), kept to rethrow once the loop
// has ended.
class first_error {
 public:
  void keep(std::exception_ptr e) {
    std::scoped_lock lock(mutex_);
    if (!error_) error_ = e;
  }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::mutex mutex_;
  std::exception_ptr error_;
};

// Starts client(i) for every connection of `run` on `ex` (long_poll or exchanges); they run when
// its context runs.
template <class Executor, class Run, class Client>
void spawn_all(Executor ex, Run& run, Client client, first_error& errors) {
  for (std::size_t i = 0; i < run.connections; ++i)
    boost::asio::co_spawn(ex, client(run, i), [&errors](std::exception_ptr e) {
      if (e) errors.keep(e);
    });
}

}  // namespace concur::connections
