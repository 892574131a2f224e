// coroutines: C coroutines on one thread, each with a keep-alive connection of its own (Asio
// sockets, Beast's HTTP parser, co_await); nothing blocks. One watchdog timer for their deadlines.
#include <algorithm>

#include "models/coroutines.hpp"
#include "workloads/http/on_loop.hpp"

namespace concur::http {
namespace {

struct coroutines_state {
  explicit coroutines_state(const client_options& options) : client(ctx.get_executor(), options) {}
  boost::asio::io_context ctx{1};
  on_loop::loop_client client;  // C connections at most, kept across batches
};

}  // namespace

template <>
getter make_getter(models::coroutines_model, const client_options& options, const models::config&,
                   client_tally& tally) {
  auto state = std::make_shared<coroutines_state>(options);
  return [state, options, &tally](const std::vector<std::string>& urls) {
    std::vector<response> out(urls.size());
    std::size_t next = 0;  // one thread: no lock
    const std::size_t workers = std::min(options.concurrency, urls.size());
    coroutines::run(state->ctx,
                    [&] { return on_loop::fetch(state->client, workers, urls, next, out, tally); });
    return out;
  };
}

}  // namespace concur::http
