// sequential: one thread, one blocking call after another. A connection that waited for its reply
// before the next opened would take N x d; instead every connection is opened and its request
// sent, one after another, then the replies are read in order. The waits overlap in the server,
// which holds every request from the moment it arrives: the client never waits on two things.
#include "workloads/connections/connections.hpp"

namespace concur::connections {

template <>
result workload::run(models::sequential_model, const params& p, const models::config&) {
  return run_clients(p, [](client_run& run) {
    std::vector<blocking_connection> open;
    open.reserve(run.connections);
    for (std::size_t i = 0; i < run.connections; ++i) open.emplace_back(run, i);
    for (auto& connection : open) connection.finish();
  });
}

}  // namespace concur::connections
