// The blocking client: Beast's synchronous http::write / http::read on a socket whose every wait
// is a poll() bounded by the request's deadline (Asio's synchronous calls have no timeout).
#include "workloads/http/client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>

#include "workloads/http/site.hpp"

namespace concur::http {

std::string_view to_string(error_kind e) {
  switch (e) {
    case error_kind::none:
      return "none";
    case error_kind::refused:
      return "refused";
    case error_kind::timed_out:
      return "timed out";
    case error_kind::reset:
      return "reset";
    case error_kind::bad_response:
      return "bad response";
    case error_kind::bad_url:
      return "bad url (http://numeric-ipv4[:port]/path only)";
    case error_kind::no_such_host:
      return "no such host";
    case error_kind::body_over_limit:
      return "body over limit";
    case error_kind::header_too_large:
      return "header too large";
    case error_kind::too_many_open_files:
      return "too many open files";
    case error_kind::redirect_loop:
      return "redirect loop";
    case error_kind::too_many_redirects:
      return "too many redirects";
    case error_kind::other:
      return "other";
  }
  return "?";
}

error_kind classify(const boost::system::error_code& ec) {
  namespace asio = boost::asio;
  namespace bhttp = boost::beast::http;
  if (!ec) return error_kind::none;
  if (ec == asio::error::connection_refused) return error_kind::refused;
  if (ec == asio::error::timed_out || ec == boost::beast::error::timeout)
    return error_kind::timed_out;
  if (ec == asio::error::connection_reset || ec == asio::error::eof ||
      ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
      ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message)
    return error_kind::reset;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category())
    return error_kind::bad_response;
  return error_kind::other;
}

bool stale_keep_alive(const boost::system::error_code& ec) {
  namespace asio = boost::asio;
  namespace bhttp = boost::beast::http;
  return ec == asio::error::eof || ec == bhttp::error::end_of_stream ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

// A SyncReadStream / SyncWriteStream over a non-blocking socket: each read_some / write_some
// waits in poll() for at most the time left before the deadline, then fails with timed_out.
class deadline_stream {
 public:
  using executor_type = tcp::socket::executor_type;
  deadline_stream(tcp::socket& socket, clock_type::time_point deadline)
      : socket_(socket), deadline_(deadline) {}
  executor_type get_executor() { return socket_.get_executor(); }

  template <class Buffers>
  std::size_t read_some(const Buffers& buffers, beast::error_code& ec) {
    for (;;) {
      const std::size_t n = socket_.read_some(buffers, ec);
      if (ec != asio::error::would_block) return n;
      if (!wait(POLLIN, ec)) return 0;
    }
  }
  template <class Buffers>
  std::size_t write_some(const Buffers& buffers, beast::error_code& ec) {
    for (;;) {
      const std::size_t n = socket_.write_some(buffers, ec);
      if (ec != asio::error::would_block) return n;
      if (!wait(POLLOUT, ec)) return 0;
    }
  }
  template <class Buffers>
  std::size_t read_some(const Buffers& buffers) {
    beast::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }
  template <class Buffers>
  std::size_t write_some(const Buffers& buffers) {
    beast::error_code ec;
    const std::size_t n = write_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }

  // Waits until the socket is ready or the deadline passes; false (with ec set) on timeout.
  bool wait(short events, beast::error_code& ec) {
    return wait_ready(socket_.native_handle(), events, deadline_, ec);
  }

  static bool wait_ready(int fd, short events, clock_type::time_point deadline,
                         beast::error_code& ec) {
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
        ec = beast::error_code(errno, boost::system::system_category());
        return false;
      }
    }
  }

 private:
  tcp::socket& socket_;
  clock_type::time_point deadline_;
};

}  // namespace

class blocking_client::impl {
 public:
  impl(std::chrono::milliseconds timeout, client_tally& tally) : timeout_(timeout), tally_(tally) {
    buffer_.reserve(read_buffer_bytes);
  }

  response get(std::string_view text) {
    response out;
    const auto target = parse_url(text);
    if (!target) {
      out.error = error_kind::bad_url;
      return out;
    }
    const auto deadline = clock_type::now() + timeout_;
    beast::error_code ec;
    const tcp::endpoint endpoint(asio::ip::make_address_v4(target->host, ec), target->port);
    if (ec) {
      out.error = error_kind::bad_url;
      return out;
    }
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target->target, 11};
    req.set(bhttp::field::host, target->authority());
    req.set(bhttp::field::user_agent, "concur");
    // A reused connection may have been closed by the server while it sat idle: then the request
    // is sent once more on a fresh one, within the same deadline (see stale_keep_alive).
    for (bool reused = socket_.is_open() && peer_ == endpoint;; reused = false) {
      if (!reused) {
        close();
        if (!connect(endpoint, deadline, ec)) {
          close();
          out.error = classify(ec);
          return out;
        }
      }
      bool answered_some = false;
      ec = exchange(req, deadline, out, answered_some);
      if (!ec) break;
      close();
      if (reused && !answered_some && stale_keep_alive(ec)) continue;
      out.error = classify(ec);
      break;
    }
    // Counted once, whatever the attempts: the request the answer (or error) belongs to.
    if (out.sent) tally_.requests_sent.fetch_add(1, std::memory_order_relaxed);
    if (out.error == error_kind::none)
      tally_.bytes_received.fetch_add(out.body.size(), std::memory_order_relaxed);
    return out;
  }

 private:
  // Writes the request and reads the response on the open connection; `answered_some` says
  // whether any byte of a response arrived.
  beast::error_code exchange(const bhttp::request<bhttp::empty_body>& req,
                             clock_type::time_point deadline, response& out, bool& answered_some) {
    deadline_stream stream(socket_, deadline);
    beast::error_code ec;
    out.sent = false;
    bhttp::write(stream, req, ec);
    if (ec) return ec;
    out.sent = true;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(body_limit);
    bhttp::read(stream, buffer_, parser, ec);
    answered_some = parser.got_some() || buffer_.size() > 0;
    if (ec) return ec;
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    out.location = std::string(res[bhttp::field::location]);
    out.body_bytes = out.body.size();
    out.body_hash = body_hash(out.body);
    if (!res.keep_alive()) close();
    return ec;
  }

  // A non-blocking connect, waited for in poll() until the deadline.
  bool connect(const tcp::endpoint& endpoint, clock_type::time_point deadline,
               beast::error_code& ec) {
    socket_.open(endpoint.protocol(), ec);
    if (ec) return false;
    socket_.non_blocking(true, ec);
    if (ec) return false;
    socket_.set_option(tcp::no_delay(true), ec);
    const int fd = socket_.native_handle();
    if (::connect(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size())) != 0) {
      if (errno != EINPROGRESS) {
        ec = beast::error_code(errno, boost::system::system_category());
        return false;
      }
      if (!deadline_stream::wait_ready(fd, POLLOUT, deadline, ec)) return false;
      int error = 0;
      socklen_t length = sizeof error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) {
        ec = beast::error_code(error, boost::system::system_category());
        return false;
      }
    }
    peer_ = endpoint;
    buffer_.clear();
    tally_.connections_opened.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  void close() {
    beast::error_code ignored;
    if (socket_.is_open()) socket_.close(ignored);
    buffer_.clear();
  }

  std::chrono::milliseconds timeout_;
  client_tally& tally_;
  asio::io_context ctx_{1};  // owns the socket's service; never run
  tcp::socket socket_{ctx_};
  tcp::endpoint peer_;
  beast::flat_buffer buffer_;
};

blocking_client::blocking_client(std::chrono::milliseconds timeout, client_tally& tally)
    : impl_(std::make_unique<impl>(timeout, tally)) {}
blocking_client::~blocking_client() = default;
blocking_client::blocking_client(blocking_client&&) noexcept = default;
blocking_client& blocking_client::operator=(blocking_client&&) noexcept = default;
response blocking_client::get(std::string_view url) {
  return impl_->get(url);
}

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
  return lease(*this, blocking_client(timeout_, tally_));
}

void client_pool::give_back(blocking_client client) {
  {
    std::scoped_lock lock(mutex_);
    idle_.push_back(std::move(client));
  }
  returned_.notify_one();
}

}  // namespace concur::http
