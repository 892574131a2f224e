// executor: a coroutine per connection on the loop, each awaiting two blocking calls on the pool
// (run_in_executor): open and send, then wait for the reply. The pool runs calls in the order
// they were submitted, so every open comes before any wait, and the pool's few threads each
// block on one reply at a time while the server holds the rest. Readiness the same way: a
// coroutine per connection awaiting, for each exchange, a send and then a wait for its reply on
// the pool; the pool's threads wait for replies in the order the calls came, ready or not.
#include "models/executor.hpp"
#include "workloads/connections/connections.hpp"
#include "workloads/connections/readiness.hpp"

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

executor::task<std::size_t> exchanges(boost::asio::thread_pool& pool, exchange_run& run,
                                      std::size_t i) {
  auto open = [&run, i] { return blocking_exchanges(run, i); };
  auto connection = co_await executor::run_in_executor(pool, std::move(open));
  for (std::size_t k = 0; k < run.exchanges && connection.alive(); ++k) {
    auto send = [&connection, k] {
      connection.send(k);
      return connection.alive();
    };
    auto receive = [&connection, k] {
      connection.receive(k);
      return connection.alive();
    };
    if (co_await executor::run_in_executor(pool, std::move(send)))
      co_await executor::run_in_executor(pool, std::move(receive));
  }
  co_return run.replies[i].size();
}

// Runs client(pool, run, i) for every connection, gathered on the loop.
template <class Run, class Client>
void gather_all(Run& run, Client client, unsigned pool_threads) {
  executor::event_loop loop(pool_threads);
  loop.run([&]() -> executor::task<std::vector<std::size_t>> {
    std::vector<executor::task<std::size_t>> clients;
    clients.reserve(run.connections);
    for (std::size_t i = 0; i < run.connections; ++i)
      clients.push_back(client(loop.pool(), run, i));
    co_return co_await executor::gather(std::move(clients));
  });
}

}  // namespace

template <>
result workload::run(models::executor_model, const params& p, const models::config& config) {
  return run_clients(p, [&](client_run& run) { gather_all(run, long_poll, config.pool_threads); });
}

template <>
readiness_result readiness_workload::run(models::executor_model, const readiness_params& p,
                                         const models::config& config) {
  return run_exchanges(p,
                       [&](exchange_run& run) { gather_all(run, exchanges, config.pool_threads); });
}

}  // namespace concur::connections
