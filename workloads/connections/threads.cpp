// threads: a std::jthread per connection, each blocking on its own connect, send and recv; the
// OS refuses threads long before descriptors (pid_max). Readiness: each thread makes its
// connection's exchanges one after another, and the OS wakes whichever thread's reply is in.
#include "models/threads.hpp"
#include "workloads/connections/connections.hpp"
#include "workloads/connections/readiness.hpp"

namespace concur::connections {

template <>
result workload::run(models::threads_model, const params& p, const models::config&) {
  return run_clients(p, [](client_run& run) {
    threads::task_group group(run.connections);
    for (std::size_t i = 0; i < run.connections; ++i) {
      group.spawn([&run, i](std::stop_token stop) {
        if (stop.stop_requested()) return;  // a later thread was refused: the run is over
        blocking_connection connection(run, i);
        connection.finish();
      });
    }
    group.join();
  });
}

template <>
readiness_result readiness_workload::run(models::threads_model, const readiness_params& p,
                                         const models::config&) {
  return run_exchanges(p, [](exchange_run& run) {
    threads::task_group group(run.connections);
    for (std::size_t i = 0; i < run.connections; ++i) {
      group.spawn([&run, i](std::stop_token stop) {
        if (stop.stop_requested()) return;  // a later thread was refused: the run is over
        blocking_exchanges(run, i).exchange_all();
      });
    }
    group.join();
  });
}

}  // namespace concur::connections
