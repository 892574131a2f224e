// threads: a std::jthread per connection, each blocking on its own connect, send and recv; the
// OS refuses threads long before descriptors (pid_max).
#include "models/threads.hpp"
#include "workloads/connections/connections.hpp"

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

}  // namespace concur::connections
