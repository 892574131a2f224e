#pragma once
// What the coroutines and coroutines_mt models share: an HTTP client on an Asio loop, C worker
// coroutines each with a keep-alive connection of its own (Asio sockets, Beast's HTTP parser,
// co_await); nothing blocks. The timeouts are one watchdog timer per loop, not a timer per socket
// operation: Beast's tcp_stream arms and cancels a timer for every read_some and write_some, which
// was the largest client-side cost after the kernel's.
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <cstddef>
#include <memory>
#include <numeric>
#include <string>
#include <tuple>
#include <vector>

#include "models/loop.hpp"
#include "net/connection.hpp"
#include "net/loop_socket.hpp"
#include "workloads/http/exchange.hpp"
#include "workloads/http/http.hpp"

namespace concur::http::on_loop {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using net::as_tuple;

// One GET: the exchange decides, this coroutine awaits each operation it names.
inline loop::task<response> get(connection& c, const std::string& url,
                                const client_options& options, client_tally& tally) {
  exchange x(c, url, options, tally);
  for (;;) {
    switch (x.next()) {
      case exchange::wait::connect:
        x.completed(std::get<0>(co_await c.socket.async_connect(x.endpoint(), as_tuple)));
        break;
      case exchange::wait::write:
        x.completed(std::get<0>(co_await asio::async_write(c.socket, x.unwritten(), as_tuple)));
        break;
      case exchange::wait::read:
        x.completed(
            std::get<0>(co_await bhttp::async_read(c.socket, c.buffer, x.parser(), as_tuple)));
        break;
      case exchange::wait::none:
        co_return x.take();
    }
  }
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
// theirs, until the batch's workers are done; with nothing in flight it sleeps a timeout's length.
// Timeouts overshoot by the timer's latency only.
inline loop::task<std::size_t> watchdog(loop_client& s) {
  while (s.running > 0) {
    s.watchdog.expires_at(expire_overdue(s.connections, s.options.timeout));
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

// A client on a loop of its own, run for each batch: the coroutines model's (and each of the
// processes model's workers', made after its fork).
struct own_loop_client {
  explicit own_loop_client(const client_options& options) : client(ctx.get_executor(), options) {}

  // GETs urls[i] into the answer's [i], `workers` at a time, on as many connections of this loop.
  std::vector<response> get(const std::vector<std::string>& urls, std::size_t workers,
                            client_tally& tally) {
    std::vector<response> out(urls.size());
    std::size_t next = 0;  // one thread: no lock
    loop::run(ctx, [&] { return fetch(client, workers, urls, next, out, tally); });
    return out;
  }

  asio::io_context ctx{1};
  loop_client client;  // C connections at most, kept across batches
};

}  // namespace concur::http::on_loop
