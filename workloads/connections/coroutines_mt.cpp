// coroutines_mt: the connections dealt round the loops (connection i on loop i mod n), each loop
// running its share's coroutines (async_client.hpp: the long-poll's or readiness's) as the
// coroutines model runs them all.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <deque>

#include "models/coroutines_mt.hpp"
#include "workloads/connections/async_client.hpp"

namespace concur::connections {
namespace {

namespace asio = boost::asio;

// Loop k's share: its connections' coroutines, awaited until they have all ended or the run's
// deadline has passed (then the waits still pending are cancelled, and awaited).
template <class Run, class Client>
coroutines_mt::task<bool> share(Run& run, Client client, std::size_t k, std::size_t loops,
                                first_error& errors) {
  auto ex = co_await coroutines_mt::this_executor;
  std::size_t running = 0;  // touched on this loop only
  coroutines_mt::timer all_done(ex, run.deadline);
  std::deque<asio::cancellation_signal> cancel;  // one per connection; a deque never moves them
  for (std::size_t i = k; i < run.connections; i += loops) {
    ++running;
    asio::co_spawn(
        ex, client(run, i),
        asio::bind_cancellation_slot(cancel.emplace_back().slot(), [&](std::exception_ptr e) {
          if (e) errors.keep(e);
          if (--running == 0) all_done.cancel();
        }));
  }
  constexpr auto quietly = asio::as_tuple(coroutines_mt::use_task);
  if (running > 0) co_await all_done.async_wait(quietly);
  for (auto& c : cancel) c.emit(asio::cancellation_type::terminal);
  while (running > 0) {
    all_done.expires_at(coroutines_mt::timer::time_point::max());
    co_await all_done.async_wait(quietly);
  }
  co_return true;
}

// Runs client(i) for every connection of `run`, each loop its share.
template <class Run, class Client>
void run_on_loops(Run& run, Client client, const models::config& config) {
  coroutines_mt::event_loops loops(config.worker_threads);
  first_error errors;
  loops.run([&] {
    return loops.on_each(
        [&](std::size_t k) { return share(run, client, k, loops.size(), errors); });
  });
  errors.rethrow();
}

}  // namespace

template <>
result workload::run(models::coroutines_mt_model, const params& p, const models::config& config) {
  return run_clients(p, [&config](client_run& run) {
    run_on_loops(run, long_poll<coroutines_mt::executor_type>, config);
  });
}

template <>
readiness_result readiness_workload::run(models::coroutines_mt_model, const readiness_params& p,
                                         const models::config& config) {
  return run_exchanges(p, [&config](exchange_run& run) {
    run_on_loops(run, exchanges<coroutines_mt::executor_type>, config);
  });
}

}  // namespace concur::connections
