// coroutines: C coroutines on one thread, each with a keep-alive connection of its own (Asio
// sockets, Beast's HTTP parser, co_await); nothing blocks. One watchdog timer for their deadlines.
#include <algorithm>

#include "workloads/http/on_loop.hpp"

namespace concur::http {

template <>
getter make_getter(models::coroutines_model, const client_options& options, const models::config&,
                   client_tally& tally) {
  auto client = std::make_shared<on_loop::own_loop_client>(options);
  return [client, limit = options.concurrency, &tally](const std::vector<std::string>& urls) {
    return client->get(urls, std::min(limit, urls.size()), tally);
  };
}

}  // namespace concur::http
