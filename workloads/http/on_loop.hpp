#pragma once
// What the coroutines and coroutines_mt models share: an HTTP client on an Asio loop, C worker
// coroutines each with a keep-alive connection of its own (Asio sockets, Beast's HTTP parser,
// co_await); nothing blocks. The timeouts are one watchdog timer per loop, not a timer per socket
// operation: Beast's tcp_stream arms and cancels a timer for every read_some and write_some, which
// was the largest client-side cost after the kernel's.
#include <fmt/format.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <cstring>
#include <iterator>
#include <memory>
#include <numeric>
#include <tuple>
#include <vector>

#include "models/loop.hpp"
#include "net/connection.hpp"
#include "net/resolve.hpp"
#include "net/response_parser.hpp"
#include "workloads/http/http.hpp"

namespace concur::http::on_loop {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
inline constexpr auto as_tuple = asio::as_tuple(loop::use_task);

// Reads the response into `out`, past any interim (1xx) responses; `answered_some` says whether
// any byte of a response arrived.
inline loop::task<beast::error_code> read_response(connection& c, const client_options& options,
                                                   response& out, bool& answered_some) {
  for (;;) {
    response_parser parser(options.body_limit, options.keep_bodies);
    auto [ec, read] = co_await bhttp::async_read(c.socket, c.buffer, parser, as_tuple);
    answered_some = answered_some || parser.got_some() || c.buffer.size() > 0;
    if (ec) co_return ec;
    if (parser.interim()) continue;
    if (parser.status() == 101) co_return bhttp::error::bad_version;  // not HTTP any more
    parser.move_to(out);
    if (!parser.keep_alive()) c.close();
    co_return ec;
  }
}

// Connects to the first of the host's addresses that accepts, within the request's deadline.
inline loop::task<beast::error_code> connect(connection& c, const resolved_host& host,
                                             std::uint16_t port) {
  beast::error_code ec = asio::error::host_not_found;
  for (const auto& address : host.addresses) {
    c.close();
    tcp::endpoint endpoint;
    const auto a = with_port(address, port);
    std::memcpy(endpoint.data(), a.data(), a.size);
    endpoint.resize(a.size);
    std::tie(ec) = co_await c.socket.async_connect(endpoint, as_tuple);
    if (!ec || c.timed_out || is_out_of_descriptors(ec)) break;
  }
  co_return ec;
}

inline loop::task<response> get(connection& c, const std::string& text,
                                const client_options& options, client_tally& tally) {
  response out;
  if (const auto e = c.requests.build(text, c.request); e != error_kind::none) {
    out.error = e;
    co_return out;
  }
  const auto& host = c.requests.host;
  const std::uint16_t port = c.requests.port;
  beast::error_code ec;
  c.timed_out = false;
  // One deadline for connect, write and read together.
  c.deadline = clock_type::now() + options.timeout;
  // A reused connection may have been closed by the server while it sat idle: then the request
  // is sent once more on a fresh one, within the same deadline (see stale_keep_alive).
  for (bool reused = c.socket.is_open() && c.peer_host == host && c.peer_port == port;;
       reused = false) {
    if (!reused) {
      const auto connect_error = co_await connect(c, *host, port);
      if (connect_error || c.timed_out) {
        c.close();
        out.error = c.timed_out ? error_kind::timed_out : classify(connect_error);
        break;
      }
      c.socket.set_option(tcp::no_delay(true), ec);
      c.socket.non_blocking(true, ec);  // write_some below must not block
      c.peer_host = host;
      c.peer_port = port;
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
    bool answered_some = false;
    const auto read_error = co_await read_response(c, options, out, answered_some);
    if (read_error || c.timed_out) {
      c.close();
      if (reused && !c.timed_out && !answered_some && stale_keep_alive(read_error)) continue;
      out.error = c.timed_out ? error_kind::timed_out : classify(read_error);
      break;
    }
    tally.bytes_received += out.body_bytes;
    break;
  }
  c.deadline = no_deadline;
  if (out.sent) ++tally.requests_sent;  // once, whatever the attempts
  co_return out;
}

// One loop's client: workers, each a coroutine with a keep-alive connection of its own (kept
// across batches), and the watchdog of their deadlines.
struct loop_client {
  loop_client(loop::executor_type ex, const client_options& options)
      : ex(ex), options(options), watchdog(ex) {}
  loop::executor_type ex;
  std::vector<std::unique_ptr<connection>> connections;
  client_options options;
  loop::steady_timer watchdog;
  std::size_t running = 0;  // workers of the batch not yet done
};

// Wakes at the earliest deadline of the requests in flight and closes the connections past
// theirs, until the batch's workers are done. A request not yet started has a deadline more than
// the timeout from now, so with nothing in flight it sleeps that long. Timeouts overshoot by the
// timer's latency only.
inline loop::task<std::size_t> watchdog(loop_client& s) {
  while (s.running > 0) {
    const auto now = clock_type::now();
    auto wake = now + s.options.timeout;
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
// `next` is a std::size_t when the workers share one loop, an atomic when they are on several.
template <class Counter>
loop::task<std::size_t> worker(loop_client& s, connection& c, const std::vector<std::string>& urls,
                               Counter& next, std::vector<response>& out, client_tally& tally) {
  struct done_guard {  // even on an exception: the watchdog must not outlive the workers
    loop_client& s;
    ~done_guard() {
      if (--s.running == 0) s.watchdog.cancel();
    }
  } guard{s};
  std::size_t done = 0;
  for (std::size_t i; (i = next++) < urls.size();) {
    out[i] = co_await get(c, urls[i], s.options, tally);
    ++done;
  }
  co_return done;
}

// Fetches urls[i] into out[i] for every i taken from `next`, on `workers` connections of this
// loop (made when missing), with their watchdog; once every worker is done, returns how many URLs
// they fetched.
template <class Counter>
loop::task<std::size_t> fetch(loop_client& s, std::size_t workers,
                              const std::vector<std::string>& urls, Counter& next,
                              std::vector<response>& out, client_tally& tally) {
  while (s.connections.size() < workers)
    s.connections.push_back(std::make_unique<connection>(s.ex));
  s.running = workers;
  std::vector<loop::task<std::size_t>> tasks;
  for (std::size_t w = 0; w < workers; ++w)
    tasks.push_back(worker(s, *s.connections[w], urls, next, out, tally));
  if (workers > 0) tasks.push_back(watchdog(s));
  const auto fetched = co_await loop::gather(std::move(tasks));
  co_return std::accumulate(fetched.begin(), fetched.end(), std::size_t{0});
}

}  // namespace concur::http::on_loop
