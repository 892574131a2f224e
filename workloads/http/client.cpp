// The blocking client: Beast's synchronous http::write / http::read on a socket whose every wait
// is a poll() bounded by the request's deadline (Asio's synchronous calls have no timeout).
#include "workloads/http/client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <cerrno>
#include <utility>

#include "net/request.hpp"
#include "net/resolve.hpp"
#include "net/response_parser.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using clock_type = std::chrono::steady_clock;

beast::error_code last_error() {
  return {errno, boost::system::system_category()};
}

// Waits until the descriptor is ready or the deadline passes; false (with ec set) if not ready.
bool wait_ready(int fd, short events, clock_type::time_point deadline, beast::error_code& ec) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock_type::now());
    if (left.count() <= 0) {
      ec = asio::error::timed_out;
      return false;
    }
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r > 0) {
      ec = {};
      return true;
    }
    if (r < 0 && errno != EINTR) {
      ec = last_error();
      return false;
    }
  }
}

// A SyncReadStream / SyncWriteStream over a non-blocking socket descriptor: each read_some /
// write_some waits in poll() for at most the time left before the deadline, then fails with
// timed_out.
class deadline_stream {
 public:
  deadline_stream(int fd, clock_type::time_point deadline) : fd_(fd), deadline_(deadline) {}

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers, beast::error_code& ec) {
    // Right after a request the answer cannot have come yet: a read tried first would nearly
    // always find nothing (EAGAIN), a system call per request spent for nothing.
    if (std::exchange(sent_, false) && !wait_ready(fd_, POLLIN, deadline_, ec)) return 0;
    return transfer(buffers, POLLIN, ec, [](int fd, msghdr& m) { return ::recvmsg(fd, &m, 0); });
  }
  template <class Buffers>
  std::size_t write_some(const Buffers& buffers, beast::error_code& ec) {
    // MSG_NOSIGNAL: a peer that closed gives EPIPE, not SIGPIPE.
    const auto n = transfer(buffers, POLLOUT, ec,
                            [](int fd, msghdr& m) { return ::sendmsg(fd, &m, MSG_NOSIGNAL); });
    sent_ = n > 0;
    return n;
  }
  template <class Buffers>
  std::size_t read_some(const Buffers& buffers) {
    return or_throw([&](beast::error_code& ec) { return read_some(buffers, ec); });
  }
  template <class Buffers>
  std::size_t write_some(const Buffers& buffers) {
    return or_throw([&](beast::error_code& ec) { return write_some(buffers, ec); });
  }

 private:
  static constexpr std::size_t max_pieces = 16;

  template <class Buffers, class Call>
  std::size_t transfer(const Buffers& buffers, short events, beast::error_code& ec, Call call) {
    iovec pieces[max_pieces];
    std::size_t count = 0;
    for (auto it = asio::buffer_sequence_begin(buffers);
         it != asio::buffer_sequence_end(buffers) && count < max_pieces; ++it) {
      const auto piece = *it;
      pieces[count++] = {const_cast<void*>(static_cast<const void*>(piece.data())), piece.size()};
    }
    ec = {};
    if (asio::buffer_size(buffers) == 0) return 0;
    msghdr m{};
    m.msg_iov = pieces;
    m.msg_iovlen = count;
    for (;;) {
      const ssize_t n = call(fd_, m);
      if (n >= 0) {
        // Nothing read into room for something: the peer closed, which Beast's read wants as eof.
        if (n == 0 && events == POLLIN) ec = asio::error::eof;
        return static_cast<std::size_t>(n);
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        ec = last_error();
        return 0;
      }
      if (!wait_ready(fd_, events, deadline_, ec)) return 0;
    }
  }

  template <class F>
  static std::size_t or_throw(F f) {
    beast::error_code ec;
    const std::size_t n = f(ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }

  int fd_;
  clock_type::time_point deadline_;
  bool sent_ = false;  // the last call wrote: the next read waits for the answer first
};

}  // namespace

class blocking_client::impl {
 public:
  impl(const client_options& options, client_tally& tally) : options_(options), tally_(tally) {
    buffer_.reserve(read_buffer_bytes);
  }
  ~impl() { close(); }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  response get(std::string_view text) {
    response out;
    // Most requests go to the origin of the last: parsed and looked up again only for another
    // (or after a failure that was not cached).
    if (const auto e = requests_.build(text, request_); e != error_kind::none) {
      out.error = e;
      return out;
    }
    const auto& host = requests_.host;
    const auto port = requests_.port;
    const auto deadline = clock_type::now() + options_.timeout;
    // A reused connection may have been closed by the server while it sat idle: then the request
    // is sent once more on a fresh one, within the same deadline (see stale_keep_alive).
    for (bool reused = fd_ >= 0 && peer_host_ == host && peer_port_ == port;; reused = false) {
      beast::error_code ec;
      if (!reused && !connect(host, port, deadline, ec)) {
        close();
        out.error = classify(ec);
        return out;
      }
      bool answered_some = false;
      ec = exchange(request_, text, deadline, out, answered_some);
      if (!ec) break;
      close();
      if (reused && !answered_some && stale_keep_alive(ec)) continue;
      out.error = classify(ec);
      break;
    }
    // Counted once, whatever the attempts: the request the answer (or error) belongs to.
    if (out.sent) tally_.requests_sent.fetch_add(1, std::memory_order_relaxed);
    if (out.error == error_kind::none)
      tally_.bytes_received.fetch_add(out.body_bytes, std::memory_order_relaxed);
    return out;
  }

 private:
  // Writes the request for `url` and reads the response on the open connection, past any interim
  // (1xx) responses; `answered_some` says whether any byte of a response arrived.
  beast::error_code exchange(const std::string& req, std::string_view url,
                             clock_type::time_point deadline, response& out, bool& answered_some) {
    deadline_stream stream(fd_, deadline);
    beast::error_code ec;
    out.sent = false;
    asio::write(stream, asio::buffer(req), ec);
    if (ec) return ec;
    out.sent = true;
    for (;;) {
      response_parser parser(options_.body_limit, options_.keep_bodies, &options_.read_bodies, url);
      bhttp::read(stream, buffer_, parser, ec);
      answered_some = answered_some || parser.got_some() || buffer_.size() > 0;
      if (ec) return ec;
      if (parser.interim()) continue;
      if (parser.status() == 101) return bhttp::error::bad_version;  // not HTTP any more
      parser.move_to(out);
      if (!parser.keep_alive()) close();
      return ec;
    }
  }

  // Tries the host's addresses in turn; a non-blocking connect, waited for in poll() until the
  // deadline.
  bool connect(const std::shared_ptr<const resolved_host>& host, std::uint16_t port,
               clock_type::time_point deadline, beast::error_code& ec) {
    ec = asio::error::host_not_found;  // (resolve() gives no empty list without an error)
    for (const auto& address : host->addresses) {
      close();
      if (connect(with_port(address, port), deadline, ec)) {
        peer_host_ = host;
        peer_port_ = port;
        return true;
      }
      if (ec == asio::error::timed_out || is_out_of_descriptors(ec)) return false;
    }
    return false;
  }

  bool connect(const socket_address& peer, clock_type::time_point deadline, beast::error_code& ec) {
    fd_ = ::socket(peer.bytes.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      ec = last_error();
      return false;
    }
    const int on = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    if (::connect(fd_, peer.data(), peer.size) != 0) {
      if (errno != EINPROGRESS) {
        ec = last_error();
        return false;
      }
      if (!wait_ready(fd_, POLLOUT, deadline, ec)) return false;
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) {
        ec = beast::error_code(error, boost::system::system_category());
        return false;
      }
    }
    buffer_.clear();
    tally_.connections_opened.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    peer_host_.reset();
    buffer_.clear();
  }

  const client_options options_;
  client_tally& tally_;
  request_builder requests_;
  std::string request_;  // the request's bytes, rebuilt in place for each request
  int fd_ = -1;          // the connection, to one of peer_host_'s addresses
  std::shared_ptr<const resolved_host> peer_host_;
  std::uint16_t peer_port_ = 0;
  beast::flat_buffer buffer_;
};

blocking_client::blocking_client(const client_options& options, client_tally& tally)
    : impl_(std::make_unique<impl>(options, tally)) {}
blocking_client::~blocking_client() = default;
blocking_client::blocking_client(blocking_client&&) noexcept = default;
blocking_client& blocking_client::operator=(blocking_client&&) noexcept = default;
response blocking_client::get(std::string_view url) {
  return impl_->get(url);
}

client_pool::client_pool(std::size_t capacity, const client_options& options, client_tally& tally)
    : capacity_(capacity),
      options_(std::make_shared<const client_options>(options)),
      tally_(tally) {}

client_pool::lease client_pool::acquire() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [&] { return !idle_.empty() || made_ < capacity_; });
  if (!idle_.empty()) {
    blocking_client c = std::move(idle_.back());
    idle_.pop_back();
    return lease(*this, std::move(c));
  }
  ++made_;
  lock.unlock();
  return lease(*this, blocking_client(*options_, tally_));
}

void client_pool::give_back(blocking_client client) {
  {
    std::scoped_lock lock(mutex_);
    idle_.push_back(std::move(client));
  }
  returned_.notify_one();
}

}  // namespace concur::http
