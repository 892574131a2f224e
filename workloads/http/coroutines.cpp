// coroutines: C coroutines on one thread, each with a keep-alive connection of its own (Beast's
// asynchronous client, co_await); timeouts by tcp_stream::expires_after; nothing blocks.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "models/coroutines.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using stream_type = beast::basic_stream<tcp, loop::executor_type>;
constexpr auto as_tuple = asio::as_tuple(loop::use_task);

struct connection {
  explicit connection(loop::executor_type ex) : stream(ex) { buffer.reserve(read_buffer_bytes); }
  void close() {
    stream.close();
    open = false;
    buffer.clear();
  }
  stream_type stream;
  beast::flat_buffer buffer;  // reserved up front: Beast reads at most its free space at a time
  tcp::endpoint peer;
  bool open = false;
};

coroutines::task<response> get(connection& c, const std::string& text,
                               std::chrono::milliseconds timeout, client_tally& tally) {
  response out;
  const auto target = parse_url(text);
  beast::error_code ec;
  const auto address =
      target ? asio::ip::make_address_v4(target->host, ec) : asio::ip::address_v4();
  if (!target || ec) {
    out.error = error_kind::bad_url;
    co_return out;
  }
  const tcp::endpoint endpoint(address, target->port);
  c.stream.expires_after(timeout);  // one deadline for connect, write and read together
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target->target, 11};
  req.set(bhttp::field::host, target->host + ":" + std::to_string(target->port));
  req.set(bhttp::field::user_agent, "concur");
  // A reused connection may have been closed by the server while it sat idle: then the request
  // is sent once more on a fresh one, within the same deadline (see stale_keep_alive).
  for (bool reused = c.open && c.peer == endpoint;; reused = false) {
    if (!reused) {
      c.close();
      auto [connect_error] = co_await c.stream.async_connect(endpoint, as_tuple);
      if (connect_error) {
        c.close();
        out.error = classify(connect_error);
        break;
      }
      c.stream.socket().set_option(tcp::no_delay(true), ec);
      c.open = true;
      c.peer = endpoint;
      ++tally.connections_opened;
    }
    out.sent = false;
    auto [write_error, written] = co_await bhttp::async_write(c.stream, req, as_tuple);
    if (write_error) {
      c.close();
      if (reused && stale_keep_alive(write_error)) continue;
      out.error = classify(write_error);
      break;
    }
    out.sent = true;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(body_limit);
    auto [read_error, read] = co_await bhttp::async_read(c.stream, c.buffer, parser, as_tuple);
    if (read_error) {
      const bool answered_some = parser.got_some() || c.buffer.size() > 0;
      c.close();
      if (reused && !answered_some && stale_keep_alive(read_error)) continue;
      out.error = classify(read_error);
      break;
    }
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    tally.bytes_received += out.body.size();
    if (!res.keep_alive()) c.close();
    break;
  }
  if (out.sent) ++tally.requests_sent;  // once, whatever the attempts
  co_return out;
}

struct coroutines_state {
  asio::io_context ctx{1};
  std::vector<std::unique_ptr<connection>> connections;  // C at most, kept across batches
};

// Takes the next URL until none is left, on its own connection; returns how many it fetched.
coroutines::task<std::size_t> worker(connection& c, const std::vector<std::string>& urls,
                                     std::size_t& next, std::vector<response>& out,
                                     std::chrono::milliseconds timeout, client_tally& tally) {
  std::size_t done = 0;
  while (next < urls.size()) {
    const std::size_t i = next++;  // one thread: no lock
    out[i] = co_await get(c, urls[i], timeout, tally);
    ++done;
  }
  co_return done;
}

}  // namespace

getter make_getter(models::coroutines_model, const client_options& options, const models::config&,
                   client_tally& tally) {
  auto state = std::make_shared<coroutines_state>();
  return [state, options, &tally](const std::vector<std::string>& urls) {
    std::vector<response> out(urls.size());
    std::size_t next = 0;
    const std::size_t workers = std::min(options.concurrency, urls.size());
    while (state->connections.size() < workers)
      state->connections.push_back(std::make_unique<connection>(state->ctx.get_executor()));
    coroutines::run(state->ctx, [&]() -> coroutines::task<std::vector<std::size_t>> {
      std::vector<coroutines::task<std::size_t>> tasks;
      for (std::size_t w = 0; w < workers; ++w)
        tasks.push_back(worker(*state->connections[w], urls, next, out, options.timeout, tally));
      co_return co_await coroutines::gather(std::move(tasks));
    });
    return out;
  };
}

}  // namespace concur::http
