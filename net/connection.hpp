#pragma once
// A keep-alive connection of the clients on an io_context (the coroutines and fibers models),
// with the request it sends, built in place, and the deadline their watchdog enforces. Asio and
// Beast: include it from those clients only.
#include <fmt/format.h>

#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/loop_socket.hpp"
#include "net/resolve.hpp"
#include "net/response.hpp"
#include "net/url.hpp"

namespace concur::http {

// The request Beast's serializer would write for request<empty_body>{GET, target, 11} with Host
// and User-Agent set, built into the connection's string (no allocation once it has grown). The
// URLs of a batch share their origin: what depends on it alone (the host's addresses, the header
// lines after the request line) is kept from the connection's previous request, and a URL that
// starts with the same "http://authority/" parses to the same host and port.
struct request_builder {
  // bad_url for a URL parse_url refuses; the host's error when it did not resolve.
  error_kind build(std::string_view url_text, std::string& request) {
    std::string_view target;
    if (!origin.empty() && url_text.size() > origin.size() && url_text.starts_with(origin) &&
        url_text[origin.size()] == '/') {
      target = url_text.substr(origin.size());
    } else {
      origin.clear();
      host.reset();
      const auto u = parse_url(url_text);
      if (!u) return error_kind::bad_url;
      host = resolve(u->host);
      if (host->error != error_kind::none) return host->error;  // not cached: looked up again
      port = u->port;
      after_target =
          fmt::format(" HTTP/1.1\r\nHost: {}\r\nUser-Agent: concur\r\n\r\n", u->authority());
      if (const auto slash = url_text.find('/', std::string_view("http://").size());
          slash != std::string_view::npos) {
        origin = url_text.substr(0, slash);
        target = url_text.substr(slash);
      } else {
        target = "/";  // a bare origin: not cached
      }
    }
    request.assign("GET ").append(target).append(after_target);
    return error_kind::none;
  }

  std::string origin;  // "http://authority" of the last URL that had a path and a host
  std::shared_ptr<const resolved_host> host;
  std::uint16_t port = 0;
  std::string after_target;
};

using clock_type = std::chrono::steady_clock;
inline constexpr auto no_deadline = clock_type::time_point::max();

struct connection {
  explicit connection(loop::executor_type ex) : socket(ex) { buffer.reserve(read_buffer_bytes); }
  void close() {
    boost::system::error_code ignored;
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

  net::loop_socket socket;
  boost::beast::flat_buffer
      buffer;           // reserved up front: Beast reads at most its free space at a time
  std::string request;  // the request's bytes, rebuilt in place for each request
  request_builder requests;
  std::shared_ptr<const resolved_host> peer_host;  // connected to one of its addresses
  std::uint16_t peer_port = 0;
  clock_type::time_point deadline = no_deadline;  // of the request in flight
  bool timed_out = false;
};

// The watchdog's round: expires the connections past their request's deadline and returns when
// to look again, the earliest deadline left. A request not yet started has a deadline more than
// the timeout from now, so with none in flight that is a timeout from now.
inline clock_type::time_point expire_overdue(std::vector<std::unique_ptr<connection>>& connections,
                                             clock_type::duration timeout) {
  const auto now = clock_type::now();
  auto wake = now + timeout;
  for (auto& c : connections) {
    if (c->deadline <= now)
      c->expire();
    else
      wake = std::min(wake, c->deadline);
  }
  return wake;
}

}  // namespace concur::http
