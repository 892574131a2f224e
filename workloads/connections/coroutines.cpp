// coroutines: a coroutine per connection on one thread (async_client.hpp); nothing blocks, and an
// idle connection holds its frame and its socket only. The long-poll's coroutine waits for one
// reply; readiness's makes its exchanges in a loop, each resumed by its own reply.
#include "workloads/connections/async_client.hpp"

#include "models/coroutines.hpp"

namespace concur::connections {
namespace {

// Runs client(i) for every connection of `run` on one thread until they end or the deadline.
template <class Run, class Client>
void run_on_one_thread(Run& run, Client client) {
  boost::asio::io_context ctx(1);
  first_error errors;
  spawn_all(ctx.get_executor(), run, client, errors);
  ctx.run_until(run.deadline);  // what is still waiting then is destroyed with ctx
  errors.rethrow();
}

using executor_type = boost::asio::io_context::executor_type;

}  // namespace

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  return run_clients(p, [](client_run& run) { run_on_one_thread(run, long_poll<executor_type>); });
}

template <>
readiness_result readiness_workload::run(models::coroutines_model, const readiness_params& p,
                                         const models::config&) {
  return run_exchanges(p,
                       [](exchange_run& run) { run_on_one_thread(run, exchanges<executor_type>); });
}

}  // namespace concur::connections
