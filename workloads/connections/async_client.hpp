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

#include "workloads/connections/connections.hpp"

namespace concur::connections {

// Bytes on their way in or out between two suspensions: one buffer per thread serves every
// connection it runs.
inline std::span<char> thread_buffer() {
  thread_local std::array<char, 1024> buffer;
  return buffer;
}

template <class Executor>
boost::asio::awaitable<void, Executor> long_poll(client_run& run, std::size_t i) {
  namespace asio = boost::asio;
  using tcp = asio::ip::tcp;
  constexpr auto as_tuple = asio::as_tuple(asio::use_awaitable_t<Executor>{});
  asio::basic_stream_socket<tcp, Executor> socket(co_await asio::this_coro::executor);
  tcp::endpoint to;
  std::memcpy(to.data(), &run.endpoint_of(i), sizeof(sockaddr_in));
  auto [connect_error] = co_await socket.async_connect(to, as_tuple);
  if (connect_error) {
    run.failed(i, connect_error.value(), "connect");
    co_return;
  }
  run.work->opened();
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  // A fresh socket has room for the request: written at once, without a suspension.
  const auto out = thread_buffer();
  const std::size_t length = run.request(i, out.data());
  const std::size_t written = socket.write_some(asio::buffer(out.data(), length), ec);
  if (!ec && written < length) {
    std::string rest(out.data() + written, length - written);
    auto [write_error, n] = co_await asio::async_write(socket, asio::buffer(rest), as_tuple);
    ec = write_error;
  }
  if (ec) {
    socket.close();
    run.work->closed();
    run.failed(i, ec.value(), "send");
    co_return;
  }
  run.work->sent();
  reply_reader reader;
  for (bool done = false; !done;) {
    auto [wait_error] = co_await socket.async_wait(tcp::socket::wait_read, as_tuple);
    ec = wait_error;
    // Read until the socket has nothing more, with no suspension while the buffer is in use.
    while (!ec && !done) {
      const auto in = thread_buffer();
      const std::size_t n = socket.read_some(asio::buffer(in.data(), in.size()), ec);
      if (!ec && reader.feed(in.data(), n)) {
        run.replies[i] = reader.take(false);
        done = true;
      }
    }
    if (ec == asio::error::would_block) continue;
    if (ec == asio::error::eof)
      run.replies[i] = reader.take(true);
    else if (ec)
      run.failed(i, ec.value(), "read");
    done = true;
  }
  socket.close(ec);
  run.work->closed();
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

// Starts a long_poll for every client on `ex`; they run when its context runs.
template <class Executor>
void spawn_all(Executor ex, client_run& run, first_error& errors) {
  for (std::size_t i = 0; i < run.connections; ++i)
    boost::asio::co_spawn(ex, long_poll<Executor>(run, i), [&errors](std::exception_ptr e) {
      if (e) errors.keep(e);
    });
}

}  // namespace concur::connections
