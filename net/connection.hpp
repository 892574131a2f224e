#pragma once
// A keep-alive connection of the clients on an io_context (the coroutines and fibers models),
// with the request it sends, built in place, and the deadline their watchdog enforces. Asio and
// Beast: include it from those clients only.
#include <algorithm>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/loop_socket.hpp"
#include "net/request.hpp"
#include "net/resolve.hpp"
#include "net/response.hpp"
#include "net/url.hpp"

namespace concur::http {

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
