// fibers: C fibers on one thread, each with a keep-alive connection of its own, written in
// blocking style (async_connect(endpoint, yield), async_read(socket, buffer, parser, yield)).
// As in the coroutines model, the timeouts are one watchdog fiber per batch, which closes the
// connections past their request's deadline, not a timer per socket operation.
#include <algorithm>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <cstring>

#include "models/fibers.hpp"
#include "net/connection.hpp"
#include "net/response_parser.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using fibers::yield_context;

// Reads the response into `out`, past any interim (1xx) responses; `answered_some` says whether
// any byte of a response arrived.
error_code read_response(connection& c, const client_options& options, response& out,
                         bool& answered_some, yield_context yield) {
  for (;;) {
    response_parser parser(options.body_limit, options.keep_bodies);
    error_code ec;
    bhttp::async_read(c.socket, c.buffer, parser, yield[ec]);
    answered_some = answered_some || parser.got_some() || c.buffer.size() > 0;
    if (ec) return ec;
    if (parser.interim()) continue;
    if (parser.status() == 101) return bhttp::error::bad_version;  // not HTTP any more
    parser.move_to(out);
    if (!parser.keep_alive()) c.close();
    return ec;
  }
}

// Connects to the first of the host's addresses that accepts, within the request's deadline.
error_code connect(connection& c, const resolved_host& host, std::uint16_t port,
                   yield_context yield) {
  error_code ec = asio::error::host_not_found;
  for (const auto& address : host.addresses) {
    c.close();
    asio::ip::tcp::endpoint endpoint;
    const auto a = with_port(address, port);
    std::memcpy(endpoint.data(), a.data(), a.size);
    endpoint.resize(a.size);
    ec = {};
    c.socket.async_connect(endpoint, yield[ec]);
    if (!ec || c.timed_out || is_out_of_descriptors(ec)) break;
  }
  return ec;
}

// Writes the request: at once when the socket has room (nearly always), else the rest waits.
error_code send(connection& c, yield_context yield) {
  error_code ec;
  const std::size_t at_once = c.socket.write_some(asio::buffer(c.request), ec);
  if (ec == asio::error::would_block) ec = {};
  if (!ec && at_once < c.request.size())
    asio::async_write(c.socket, asio::buffer(c.request) + at_once, yield[ec]);
  return ec;
}

response get(connection& c, const std::string& text, const client_options& options,
             client_tally& tally, yield_context yield) {
  response out;
  if (const auto e = c.requests.build(text, c.request); e != error_kind::none) {
    out.error = e;
    return out;
  }
  const auto& host = c.requests.host;
  const std::uint16_t port = c.requests.port;
  c.timed_out = false;
  c.deadline = clock_type::now() + options.timeout;  // connect, write and read together
  // A reused connection may have been closed by the server while it sat idle: then the request
  // is sent once more on a fresh one, within the same deadline (see stale_keep_alive).
  for (bool reused = c.socket.is_open() && c.peer_host == host && c.peer_port == port;;
       reused = false) {
    if (!reused) {
      const auto connect_error = connect(c, *host, port, yield);
      if (connect_error || c.timed_out) {
        c.close();
        out.error = c.timed_out ? error_kind::timed_out : classify(connect_error);
        break;
      }
      error_code ignored;
      c.socket.set_option(asio::ip::tcp::no_delay(true), ignored);
      c.socket.non_blocking(true, ignored);  // write_some must not block
      c.peer_host = host;
      c.peer_port = port;
      ++tally.connections_opened;
    }
    out.sent = false;
    const auto write_error = send(c, yield);
    if (write_error || c.timed_out) {
      c.close();
      if (reused && !c.timed_out && stale_keep_alive(write_error)) continue;
      out.error = c.timed_out ? error_kind::timed_out : classify(write_error);
      break;
    }
    out.sent = true;
    bool answered_some = false;
    const auto read_error = read_response(c, options, out, answered_some, yield);
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
  return out;
}

struct fibers_state {
  explicit fibers_state(const client_options& options) : options(options) {}
  asio::io_context ctx{1};
  std::vector<std::unique_ptr<connection>> connections;  // C at most, kept across batches
  client_options options;
};

// Wakes at the earliest deadline of the requests in flight and closes the connections past
// theirs, until `running` workers are none. With nothing in flight it sleeps a timeout's length.
void watchdog(fibers_state& s, const std::size_t& running, fibers::steady_timer& timer,
              yield_context yield) {
  while (running > 0) {
    const auto now = clock_type::now();
    auto wake = now + s.options.timeout;
    for (auto& c : s.connections) {
      if (c->deadline <= now)
        c->expire();
      else
        wake = std::min(wake, c->deadline);
    }
    timer.expires_at(wake);
    error_code woken;  // operation_aborted: the last worker ended
    timer.async_wait(yield[woken]);
  }
}

}  // namespace

template <>
getter make_getter(models::fibers_model, const client_options& options, const models::config&,
                   client_tally& tally) {
  auto state = std::make_shared<fibers_state>(options);
  return [state, &tally](const std::vector<std::string>& urls) {
    std::vector<response> out(urls.size());
    const std::size_t workers = std::min(state->options.concurrency, urls.size());
    while (state->connections.size() < workers)
      state->connections.push_back(std::make_unique<connection>(state->ctx.get_executor()));
    fibers::run(state->ctx, [&](yield_context yield) {
      std::size_t next = 0, running = workers;
      fibers::steady_timer watch(yield.get_executor());
      fibers::group fetches(yield, workers + 1);
      for (std::size_t w = 0; w < workers; ++w) {
        fetches.spawn([&, w](yield_context yield) {
          struct done_guard {  // even on an exception: the watchdog must not outlive the workers
            std::size_t& running;
            fibers::steady_timer& watch;
            ~done_guard() {
              if (--running == 0) watch.cancel();
            }
          } guard{running, watch};
          // Takes the next URL until none is left (one thread: no lock).
          for (std::size_t i; (i = next++) < urls.size();)
            out[i] = get(*state->connections[w], urls[i], state->options, tally, yield);
        });
      }
      if (workers > 0)
        fetches.spawn([&](yield_context yield) { watchdog(*state, running, watch, yield); });
      fetches.wait();
    });
    return out;
  };
}

}  // namespace concur::http
