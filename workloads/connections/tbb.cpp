// tbb: a task per connection to open it and send its request, then a task per connection to wait
// for its reply. A task that did both would hold one of the arena's threads for d, and the arena
// has only `cores` of them: the waits overlap in the server instead.
#include "models/tbb.hpp"
#include "workloads/connections/connections.hpp"

namespace concur::connections {

template <>
result workload::run(models::tbb_model, const params& p, const models::config& config) {
  return run_clients(p, [&](client_run& run) {
    std::vector<blocking_connection> open(run.connections);
    tbb_model::run_in_arena(config.worker_threads, [&] {
      tbb_model::task_group opening;
      for (std::size_t i = 0; i < run.connections; ++i)
        opening.run([&run, &open, i] { open[i] = blocking_connection(run, i); });
      opening.wait();
      tbb_model::task_group waiting;
      for (auto& connection : open) waiting.run([&connection] { connection.finish(); });
      waiting.wait();
    });
  });
}

}  // namespace concur::connections
