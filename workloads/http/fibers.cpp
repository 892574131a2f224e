// fibers: C fibers on one thread, each with a keep-alive connection of its own, written in
// blocking style (async_connect(endpoint, yield), async_read(socket, buffer, parser, yield)).
// As in the coroutines model, the timeouts are one watchdog fiber per batch, which closes the
// connections past their request's deadline, not a timer per socket operation.
#include <algorithm>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <memory>
#include <string>
#include <vector>

#include "models/fibers.hpp"
#include "net/connection.hpp"
#include "workloads/http/exchange.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using fibers::yield_context;

// One GET: the exchange decides, this fiber waits for each operation it names.
response get(connection& c, const std::string& url, const client_options& options,
             client_tally& tally, yield_context yield) {
  exchange x(c, url, options, tally);
  for (error_code ec;; x.completed(ec)) {
    switch (x.next()) {
      case exchange::wait::connect:
        c.socket.async_connect(x.endpoint(), yield[ec]);
        break;
      case exchange::wait::write:
        asio::async_write(c.socket, x.unwritten(), yield[ec]);
        break;
      case exchange::wait::read:
        bhttp::async_read(c.socket, c.buffer, x.parser(), yield[ec]);
        break;
      case exchange::wait::none:
        return x.take();
    }
  }
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
    timer.expires_at(expire_overdue(s.connections, s.options.timeout));
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
