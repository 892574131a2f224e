// coroutines: a coroutine per connection on one thread (async_client.hpp); nothing blocks, and an
// idle connection holds its frame and its socket only.
#include "workloads/connections/async_client.hpp"

#include "models/coroutines.hpp"

namespace concur::connections {

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  return run_clients(p, [](client_run& run) {
    boost::asio::io_context ctx(1);
    first_error errors;
    spawn_all(ctx.get_executor(), run, errors);
    ctx.run_until(run.deadline);  // what is still waiting then is destroyed with ctx
    errors.rethrow();
  });
}

}  // namespace concur::connections
