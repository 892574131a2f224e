// sequential: one thread, one blocking call after another. A connection that waited for its reply
// before the next opened would take N x d; instead every connection is opened and its request
// sent, one after another, then the replies are read in order. The waits overlap in the server,
// which holds every request from the moment it arrives: the client never waits on two things.
// Readiness in the same way, a round at a time: exchange k's request sent on every connection,
// then the replies read in order, so each round lasts as long as its slowest reply.
#include "workloads/connections/connections.hpp"
#include "workloads/connections/readiness.hpp"

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

template <>
readiness_result readiness_workload::run(models::sequential_model, const readiness_params& p,
                                         const models::config&) {
  return run_exchanges(p, [](exchange_run& run) {
    std::vector<blocking_exchanges> open;
    open.reserve(run.connections);
    for (std::size_t i = 0; i < run.connections; ++i) open.emplace_back(run, i);
    for (std::size_t k = 0; k < run.exchanges; ++k) {
      for (auto& connection : open) connection.send(k);
      for (auto& connection : open) connection.receive(k);
    }
  });
}

}  // namespace concur::connections
