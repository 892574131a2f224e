// What every model's client shares: the request, the reply parser, failures, and the blocking
// connection on a plain descriptor.
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <cerrno>
#include <system_error>
#include <utility>

#include "net/response_parser.hpp"
#include "workloads/connections/connections.hpp"
#include "workloads/connections/limits.hpp"

namespace concur::connections {

std::string body_of(std::size_t i) {
  return fmt::format("connection {}\n", i);
}

void tally::sent(std::size_t count) {
  if (count > 0 && (sent_ += count) == connections_)
    peak_ = peak{opened_ - closed_, kernel::tcp_memory_pages(), kernel::slab_bytes()};
}

std::size_t client_run::request(std::size_t i, char* out) const {
  return fmt::format_to_n(out, request_capacity,
                          "GET /c/{} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
                          index(i))
      .size;
}

std::string connection_run::failure(std::size_t i, int error, std::string_view during) const {
  const auto what = std::system_category().message(error);
  if (error == EMFILE || error == ENFILE || error == EADDRNOTAVAIL || error == ENOBUFS ||
      error == ENOMEM)
    throw resource_exhausted(fmt::format(
        "the OS refused connection {} of {} ({}: {}); RLIMIT_NOFILE {}, {} loopback address{}",
        index(i) + 1, whole_connections(), during, what, raise_descriptor_limit(), endpoints.size(),
        endpoints.size() == 1 ? "" : "es"));
  return fmt::format("{}: {}", during, what);
}

// ---- reply_reader

class reply_reader::impl {
 public:
  impl() : parser_(64 * 1024, true) { parser_.eager(true); }

  bool feed(const char* data, std::size_t size) {
    if (!pending_.empty()) {
      pending_.append(data, size);
      data = pending_.data();
      size = pending_.size();
    }
    while (size > 0 && !parser_.is_done()) {
      boost::beast::error_code ec;
      const std::size_t used = parser_.put(boost::asio::buffer(data, size), ec);
      data += used;
      size -= used;
      if (ec == boost::beast::http::error::need_more) break;
      if (ec) {
        error_ = ec;
        return true;
      }
    }
    // Bytes the parser could not take yet (a header split between reads) wait for the rest.
    pending_.assign(data, size);
    return parser_.is_done();
  }

  reply take(bool eof) {
    if (!error_ && !parser_.is_done() && eof) parser_.put_eof(error_);
    if (error_ || !parser_.is_done())
      return {0, error_ ? "bad reply: " + error_.message() : std::string("incomplete reply")};
    http::response out;
    parser_.move_to(out);
    return {out.status, std::move(out.body)};
  }

 private:
  http::response_parser parser_;
  std::string pending_;
  boost::beast::error_code error_;
};

reply_reader::reply_reader() : impl_(std::make_unique<impl>()) {}
reply_reader::~reply_reader() = default;
reply_reader::reply_reader(reply_reader&&) noexcept = default;
reply_reader& reply_reader::operator=(reply_reader&&) noexcept = default;
bool reply_reader::feed(const char* data, std::size_t size) {
  return impl_->feed(data, size);
}
reply reply_reader::take(bool eof) {
  return impl_->take(eof);
}

// ---- blocking_socket

namespace {

// SO_RCVTIMEO and SO_SNDTIMEO (connect too) up to the run's deadline.
void set_deadline(int fd, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::max(std::chrono::duration_cast<std::chrono::microseconds>(
                                 deadline - std::chrono::steady_clock::now()),
                             std::chrono::microseconds(1000));
  const timeval t{static_cast<time_t>(left.count() / 1'000'000),
                  static_cast<suseconds_t>(left.count() % 1'000'000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &t, sizeof t);
}

}  // namespace

int blocking_socket::connect(const sockaddr_in& to,
                             std::chrono::steady_clock::time_point deadline) {
  close();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  set_deadline(fd, deadline);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
    const int error = errno == EINPROGRESS ? ETIMEDOUT : errno;  // SO_SNDTIMEO passed
    ::close(fd);
    return error;
  }
  fd_ = fd;
  return 0;
}

int blocking_socket::send(std::string_view bytes) {
  for (std::size_t sent = 0; sent < bytes.size();) {
    const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    sent += static_cast<std::size_t>(n);
  }
  return 0;
}

reply blocking_socket::receive() {
  reply_reader reader;
  char buffer[1024];
  for (;;) {
    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      return {0, error == EAGAIN ? std::string("no reply before the deadline")
                                 : "recv: " + std::system_category().message(error)};
    }
    if (n == 0 || reader.feed(buffer, static_cast<std::size_t>(n))) return reader.take(n == 0);
  }
}

void blocking_socket::close() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

blocking_socket::blocking_socket(blocking_socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

blocking_socket& blocking_socket::operator=(blocking_socket&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

// ---- blocking_connection

blocking_connection::blocking_connection(client_run& run, std::size_t i) : run_(&run), index_(i) {
  if (const int error = socket_.connect(run.endpoint_of(i), run.deadline); error != 0) {
    run.failed(i, error, "connect");
    return;
  }
  run.work->opened();
  char request[client_run::request_capacity];
  if (const int error = socket_.send({request, run.request(i, request)}); error != 0) {
    close();
    run.failed(i, error, "send");
    return;
  }
  run.work->sent();
}

void blocking_connection::finish() {
  if (!socket_.is_open()) return;
  run_->replies[index_] = socket_.receive();
  close();
}

void blocking_connection::close() {
  if (!socket_.is_open()) return;
  socket_.close();
  run_->work->closed();
}

blocking_connection& blocking_connection::operator=(blocking_connection&& o) noexcept {
  if (this != &o) {
    close();
    run_ = o.run_;
    index_ = o.index_;
    socket_ = std::move(o.socket_);
  }
  return *this;
}

}  // namespace concur::connections
