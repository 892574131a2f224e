// executor: C coroutines on the loop thread, each awaiting its blocking request on the pool
// (run_in_executor), so at most min(C, pool) requests are in flight; the loop itself never blocks.
#include "models/executor.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {
namespace {

struct executor_state {
  executor::event_loop loop;
  client_pool clients;  // keep-alive connections, one per pool thread at most
};

// Takes the next URL until none is left; returns how many it fetched.
executor::task<std::size_t> worker(executor_state& s, const std::vector<std::string>& urls,
                                   std::size_t& next, std::vector<response>& out) {
  std::size_t done = 0;
  while (next < urls.size()) {
    const std::size_t i = next++;  // the workers all run on the loop thread: no lock
    out[i] = co_await executor::run_in_executor(
        s.loop.pool(), [&s, &url = urls[i]] { return s.clients.get(url); });
    ++done;
  }
  co_return done;
}

}  // namespace

template <>
getter make_getter(models::executor_model, const client_options& options,
                   const models::config& config, client_tally& tally) {
  auto state = std::shared_ptr<executor_state>(new executor_state{
      executor::event_loop(config.pool_threads),
      client_pool(std::min<std::size_t>(options.concurrency, config.pool_threads), options,
                  tally)});
  const std::size_t limit = options.concurrency;
  return [state, limit](const std::vector<std::string>& urls) {
    std::vector<response> out(urls.size());
    std::size_t next = 0;
    state->loop.run([&]() -> executor::task<std::vector<std::size_t>> {
      std::vector<executor::task<std::size_t>> workers;
      for (std::size_t w = 0; w < std::min(limit, urls.size()); ++w)
        workers.push_back(worker(*state, urls, next, out));
      co_return co_await executor::gather(std::move(workers));
    });
    return out;
  };
}

}  // namespace concur::http
