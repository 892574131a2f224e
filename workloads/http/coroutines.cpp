// coroutines: C coroutines on one thread, each with a keep-alive connection of its own (Asio
// sockets, Beast's HTTP parser, co_await); nothing blocks. The timeouts are one watchdog timer per
// batch, not a timer per socket operation: Beast's tcp_stream arms and cancels a timer for every
// read_some and write_some, which was the largest client-side cost after the kernel's.
#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/read.hpp>
#include <iterator>

#include "models/coroutines.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using socket_type = asio::basic_stream_socket<tcp, loop::executor_type>;
using clock_type = std::chrono::steady_clock;
constexpr auto as_tuple = asio::as_tuple(loop::use_task);
constexpr auto no_deadline = clock_type::time_point::max();

// Beast's response parser keeping only what a response is made of (status and body; keep-alive,
// Content-Length and chunking are the base parser's): response_parser<string_body> would also
// store every header field, one allocation each.
class status_and_body_parser : public bhttp::basic_parser<false> {
 public:
  status_and_body_parser() { body_limit(http::body_limit); }
  int status() const { return status_; }
  std::string& body() { return body_; }
  std::string& location() { return location_; }

 private:
  void on_request_impl(bhttp::verb, beast::string_view, beast::string_view, int,
                       beast::error_code&) override {}
  void on_response_impl(int code, beast::string_view, int, beast::error_code&) override {
    status_ = code;
  }
  void on_field_impl(bhttp::field name, beast::string_view, beast::string_view value,
                     beast::error_code&) override {
    if (name == bhttp::field::location) location_.assign(value.data(), value.size());
  }
  void on_header_impl(beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                         beast::error_code&) override {
    if (length) body_.reserve(static_cast<std::size_t>(*length));  // within body_limit
  }
  std::size_t on_body_impl(beast::string_view s, beast::error_code&) override {
    body_.append(s.data(), s.size());
    return s.size();
  }
  void on_chunk_header_impl(std::uint64_t, beast::string_view, beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, beast::string_view s, beast::error_code&) override {
    body_.append(s.data(), s.size());
    return s.size();
  }
  void on_finish_impl(beast::error_code&) override {}

  int status_ = 0;
  std::string body_;
  std::string location_;
};

// The request Beast's serializer would write for request<empty_body>{GET, target, 11} with Host
// and User-Agent set, built into the connection's string (no allocation once it has grown). The
// URLs of a batch share their origin: what depends on it alone (the endpoint, the header lines
// after the request line) is kept from the connection's previous request, and a URL that
// starts with the same "http://authority/" parses to the same host and port.
struct request_builder {
  // False for a URL parse_url refuses or whose host is not an IPv4 address.
  bool build(std::string_view url_text, std::string& request, tcp::endpoint& endpoint) {
    std::string_view target;
    if (!origin.empty() && url_text.size() > origin.size() && url_text.starts_with(origin) &&
        url_text[origin.size()] == '/') {
      target = url_text.substr(origin.size());
    } else {
      origin.clear();
      const auto u = parse_url(url_text);
      if (!u) return false;
      beast::error_code ec;
      const auto address = asio::ip::make_address_v4(u->host, ec);
      if (ec) return false;
      peer = tcp::endpoint(address, u->port);
      after_target =
          fmt::format(" HTTP/1.1\r\nHost: {}:{}\r\nUser-Agent: concur\r\n\r\n", u->host, u->port);
      if (const auto slash = url_text.find('/', std::string_view("http://").size());
          slash != std::string_view::npos) {
        origin = url_text.substr(0, slash);
        target = url_text.substr(slash);
      } else {
        target = "/";  // a bare origin: not cached
      }
    }
    request.assign("GET ").append(target).append(after_target);
    endpoint = peer;
    return true;
  }

  std::string origin;  // "http://authority" of the last URL that had a path
  tcp::endpoint peer;
  std::string after_target;
};

struct connection {
  explicit connection(loop::executor_type ex) : socket(ex) { buffer.reserve(read_buffer_bytes); }
  void close() {
    beast::error_code ignored;
    socket.close(ignored);
    buffer.clear();
  }
  // Called by the watchdog when the request in flight is past its deadline: closing the socket
  // ends whatever operation is pending, and the request reports timed_out.
  void expire() {
    timed_out = true;
    deadline = no_deadline;
    close();
  }

  socket_type socket;
  beast::flat_buffer buffer;  // reserved up front: Beast reads at most its free space at a time
  std::string request;        // the request's bytes, rebuilt in place for each request
  request_builder requests;
  tcp::endpoint peer;
  clock_type::time_point deadline = no_deadline;  // of the request in flight
  bool timed_out = false;
};

coroutines::task<response> get(connection& c, const std::string& text,
                               std::chrono::milliseconds timeout, client_tally& tally) {
  response out;
  tcp::endpoint endpoint;
  if (!c.requests.build(text, c.request, endpoint)) {
    out.error = error_kind::bad_url;
    co_return out;
  }
  beast::error_code ec;
  c.timed_out = false;
  c.deadline = clock_type::now() + timeout;  // one deadline for connect, write and read together
  // A reused connection may have been closed by the server while it sat idle: then the request
  // is sent once more on a fresh one, within the same deadline (see stale_keep_alive).
  for (bool reused = c.socket.is_open() && c.peer == endpoint;; reused = false) {
    if (!reused) {
      c.close();
      auto [connect_error] = co_await c.socket.async_connect(endpoint, as_tuple);
      if (connect_error || c.timed_out) {
        c.close();
        out.error = c.timed_out ? error_kind::timed_out : classify(connect_error);
        break;
      }
      c.socket.set_option(tcp::no_delay(true), ec);
      c.socket.non_blocking(true, ec);  // write_some below must not block
      c.peer = endpoint;
      ++tally.connections_opened;
    }
    out.sent = false;
    // Written at once when the socket has room (nearly always): no suspension, and one trip
    // less through the loop (each trip polls epoll once more).
    beast::error_code write_error;
    const std::size_t at_once = c.socket.write_some(asio::buffer(c.request), write_error);
    if (write_error == asio::error::would_block) write_error = {};
    if (!write_error && at_once < c.request.size()) {
      const auto rest = asio::buffer(c.request) + at_once;
      auto [rest_error, written] = co_await asio::async_write(c.socket, rest, as_tuple);
      write_error = rest_error;
    }
    if (write_error || c.timed_out) {
      c.close();
      if (reused && !c.timed_out && stale_keep_alive(write_error)) continue;
      out.error = c.timed_out ? error_kind::timed_out : classify(write_error);
      break;
    }
    out.sent = true;
    status_and_body_parser parser;
    auto [read_error, read] = co_await bhttp::async_read(c.socket, c.buffer, parser, as_tuple);
    if (read_error || c.timed_out) {
      const bool answered_some = parser.got_some() || c.buffer.size() > 0;
      c.close();
      if (reused && !c.timed_out && !answered_some && stale_keep_alive(read_error)) continue;
      out.error = c.timed_out ? error_kind::timed_out : classify(read_error);
      break;
    }
    out.status = parser.status();
    out.body = std::move(parser.body());
    out.location = std::move(parser.location());
    out.body_bytes = out.body.size();
    out.body_hash = body_hash(out.body);
    tally.bytes_received += out.body.size();
    if (!parser.keep_alive()) c.close();
    break;
  }
  c.deadline = no_deadline;
  if (out.sent) ++tally.requests_sent;  // once, whatever the attempts
  co_return out;
}

struct coroutines_state {
  explicit coroutines_state(std::chrono::milliseconds timeout) : timeout(timeout) {}
  asio::io_context ctx{1};
  std::vector<std::unique_ptr<connection>> connections;  // C at most, kept across batches
  std::chrono::milliseconds timeout;
  loop::steady_timer watchdog{ctx.get_executor()};
  std::size_t running = 0;  // workers of the batch not yet done
};

// Wakes at the earliest deadline of the requests in flight and closes the connections past
// theirs, until the batch's workers are done. A request not yet started has a deadline more than
// `timeout` from now, so with nothing in flight it sleeps that long. Timeouts overshoot by the
// timer's latency only.
coroutines::task<std::size_t> watchdog(coroutines_state& s) {
  while (s.running > 0) {
    const auto now = clock_type::now();
    auto wake = now + s.timeout;
    for (auto& c : s.connections) {
      if (c->deadline <= now)
        c->expire();
      else
        wake = std::min(wake, c->deadline);
    }
    s.watchdog.expires_at(wake);
    co_await s.watchdog.async_wait(as_tuple);
  }
  co_return 0;
}

// Takes the next URL until none is left, on its own connection; returns how many it fetched.
coroutines::task<std::size_t> worker(coroutines_state& s, connection& c,
                                     const std::vector<std::string>& urls, std::size_t& next,
                                     std::vector<response>& out, client_tally& tally) {
  struct done_guard {  // even on an exception: the watchdog must not outlive the workers
    coroutines_state& s;
    ~done_guard() {
      if (--s.running == 0) s.watchdog.cancel();
    }
  } guard{s};
  std::size_t done = 0;
  while (next < urls.size()) {
    const std::size_t i = next++;  // one thread: no lock
    out[i] = co_await get(c, urls[i], s.timeout, tally);
    ++done;
  }
  co_return done;
}

}  // namespace

template <>
getter make_getter(models::coroutines_model, const client_options& options, const models::config&,
                   client_tally& tally) {
  auto state = std::make_shared<coroutines_state>(options.timeout);
  return [state, options, &tally](const std::vector<std::string>& urls) {
    std::vector<response> out(urls.size());
    std::size_t next = 0;
    const std::size_t workers = std::min(options.concurrency, urls.size());
    while (state->connections.size() < workers)
      state->connections.push_back(std::make_unique<connection>(state->ctx.get_executor()));
    state->running = workers;
    coroutines::run(state->ctx, [&]() -> coroutines::task<std::vector<std::size_t>> {
      std::vector<coroutines::task<std::size_t>> tasks;
      for (std::size_t w = 0; w < workers; ++w)
        tasks.push_back(worker(*state, *state->connections[w], urls, next, out, tally));
      if (workers > 0) tasks.push_back(watchdog(*state));
      co_return co_await coroutines::gather(std::move(tasks));
    });
    return out;
  };
}

}  // namespace concur::http
