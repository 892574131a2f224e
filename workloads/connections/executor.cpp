// executor: a coroutine per connection on the loop, each awaiting two blocking calls on the pool
// (run_in_executor): open and send, then wait for the reply. The pool runs calls in the order
// they were submitted, so every open comes before any wait, and the pool's few threads each
// block on one reply at a time while the server holds the rest.
#include "models/executor.hpp"
#include "workloads/connections/connections.hpp"

namespace concur::connections {
namespace {

executor::task<std::size_t> long_poll(boost::asio::thread_pool& pool, client_run& run,
                                      std::size_t i) {
  auto open = [&run, i] { return blocking_connection(run, i); };
  auto connection = co_await executor::run_in_executor(pool, std::move(open));
  auto finish = [&connection] {
    connection.finish();
    return std::size_t{1};
  };
  co_return co_await executor::run_in_executor(pool, std::move(finish));
}

}  // namespace

template <>
result workload::run(models::executor_model, const params& p, const models::config& config) {
  return run_clients(p, [&](client_run& run) {
    executor::event_loop loop(config.pool_threads);
    loop.run([&]() -> executor::task<std::vector<std::size_t>> {
      std::vector<executor::task<std::size_t>> polls;
      polls.reserve(run.connections);
      for (std::size_t i = 0; i < run.connections; ++i)
        polls.push_back(long_poll(loop.pool(), run, i));
      co_return co_await executor::gather(std::move(polls));
    });
  });
}

}  // namespace concur::connections
