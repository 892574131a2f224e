#pragma once
// The coroutine client, for any Asio executor (one thread or several): a coroutine per
// connection that connects, writes its request and waits for the reply holding no buffer (it
// waits for readability, then reads into its thread's buffer), so an idle connection costs its
// frame and its socket. Asio is included: include this in model files only.
#include <sys/socket.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <exception>
#include <mutex>
#include <optional>
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

// Starts connecting to `to` on a new non-blocking socket, without waiting for the handshake.
template <class Executor>
error_code start_connect(socket_on<Executor>& socket, const sockaddr_in& to) {
  error_code ec;
  socket.open(tcp::v4(), ec);
  if (!ec) socket.non_blocking(true, ec);
  if (!ec && ::connect(socket.native_handle(), reinterpret_cast<const sockaddr*>(&to), sizeof to) &&
      errno != EINPROGRESS)
    ec.assign(errno, boost::system::system_category());
  return ec;
}

// Waits for a connect in progress to end (writability); its outcome (SO_ERROR).
template <class Executor>
step<Executor> finish_connect(socket_on<Executor>& socket) {
  auto [ec] = co_await socket.async_wait(tcp::socket::wait_write, as_tuple<Executor>);
  int error = 0;
  socklen_t length = sizeof error;
  if (!ec && ::getsockopt(socket.native_handle(), SOL_SOCKET, SO_ERROR, &error, &length) != 0)
    error = errno;
  if (!ec && error) ec.assign(error, boost::system::system_category());
  co_return ec;
}

// Sends `length` bytes of `bytes`, from `written` on: what one direct write left, awaited (the
// bytes are copied first, as they may be the thread's buffer).
template <class Executor>
step<Executor> send_rest(socket_on<Executor>& socket, const char* bytes, std::size_t written,
                         std::size_t length) {
  if (written >= length) co_return error_code{};
  std::string rest(bytes + written, length - written);
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(rest), as_tuple<Executor>);
  co_return ec;
}

// Sends `length` bytes from the thread's buffer: a request fits a socket's room, so it goes at
// once, without a suspension.
template <class Executor>
step<Executor> send(socket_on<Executor>& socket, std::size_t length) {
  const auto out = thread_buffer();
  error_code ec;
  const std::size_t written = socket.write_some(asio::buffer(out.data(), length), ec);
  if (ec) co_return ec;
  co_return co_await send_rest(socket, out.data(), written, length);
}

// What connect_and_send ended with, and in which step a failure came.
struct sent {
  error_code ec;
  std::string_view during;
};

// Connects to `to` and sends `length` bytes from the thread's buffer. On loopback the handshake
// runs inside connect(), which returns EINPROGRESS with the socket already established: the
// request then goes at once, with no wait for writability, no SO_ERROR, no suspension (and the
// server finds it there when it accepts). A connect still in progress (the write would block) is
// awaited first.
template <class Executor>
asio::awaitable<sent, Executor> connect_and_send(socket_on<Executor>& socket, const sockaddr_in& to,
                                                 std::size_t length) {
  const auto out = thread_buffer();
  if (auto ec = start_connect(socket, to)) co_return sent{ec, "connect"};
  error_code ec;
  std::size_t written = socket.write_some(asio::buffer(out.data(), length), ec);
  if (ec == asio::error::would_block) {
    const std::string request(out.data(), length);
    if ((ec = co_await finish_connect(socket))) co_return sent{ec, "connect"};
    co_return sent{co_await send_rest(socket, request.data(), 0, length), "send"};
  }
  if (ec) co_return sent{ec, ec == asio::error::connection_refused ? "connect" : "send"};
  co_return sent{co_await send_rest(socket, out.data(), written, length), "send"};
}

// Waits for the reply holding no buffer (readability first, then reads into the thread's buffer
// with no suspension while it is in use); sets `out` when the reply is whole or the peer closed.
template <class Executor>
step<Executor> receive(socket_on<Executor>& socket, reply& out) {
  std::optional<reply_reader> reader;  // made once readable: an idle connection holds no parser
  for (;;) {
    auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, as_tuple<Executor>);
    if (!reader) reader.emplace();
    while (!ec) {
      const auto in = thread_buffer();
      const std::size_t n = socket.read_some(asio::buffer(in.data(), in.size()), ec);
      if (!ec && reader->feed(in.data(), n)) {
        out = reader->take(false);
        co_return error_code{};
      }
    }
    if (ec == asio::error::would_block) continue;
    if (ec == asio::error::eof) out = reader->take(true);
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
  auto [ec, during] = co_await io::connect_and_send(socket, run.endpoint_of(i),
                                                    run.request(i, thread_buffer().data()));
  if (ec && during == "connect") {
    run.failed(i, ec.value(), during);
    co_return;
  }
  run.work->opened();
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
  auto [ec, during] = co_await io::connect_and_send(socket, run.endpoint_of(i),
                                                    run.request(i, 0, thread_buffer().data()));
  if (ec && during == "connect") {
    run.failed(i, ec.value(), during);
    co_return;
  }
  run.work->opened();
  if (!ec) run.work->sent();
  for (std::size_t k = 0; k < run.exchanges && !ec; ++k) {
    if (k > 0) {
      during = "send";
      ec = co_await io::send(socket, run.request(i, k, thread_buffer().data()));
    }
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
