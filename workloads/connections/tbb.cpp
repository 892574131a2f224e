// tbb: tasks that open connections and send their requests, then tasks that wait for their
// replies. A task doing both would hold one of the arena's threads for d, and the arena has only
// `cores` of them: the waits overlap in the server instead. Each task takes a block of
// connections, as parallel_for splits a range (a few tasks per arena thread, not one per
// connection: oneTBB's task objects are invisible to ThreadSanitizer, see models/tbb.hpp).
// Readiness the same way, a round at a time: tasks that send exchange k's requests, then tasks
// that read their replies, each block in order.
#include <algorithm>

#include "models/tbb.hpp"
#include "workloads/connections/connections.hpp"
#include "workloads/connections/readiness.hpp"

namespace concur::connections {
namespace {

// Runs f(i) for every connection in blocks, a few per arena thread, and waits for them.
template <class F>
void for_each_block(std::size_t connections, unsigned threads, F f) {
  const std::size_t blocks = std::min<std::size_t>(connections, 4 * std::max(1u, threads));
  tbb_model::task_group group;
  for (std::size_t b = 0; b < blocks; ++b)
    group.run([&f, first = b * connections / blocks, last = (b + 1) * connections / blocks] {
      for (std::size_t i = first; i < last; ++i) f(i);
    });
  group.wait();
}

}  // namespace

template <>
result workload::run(models::tbb_model, const params& p, const models::config& config) {
  return run_clients(p, [&](client_run& run) {
    std::vector<blocking_connection> open(run.connections);
    tbb_model::run_in_arena(config.worker_threads, [&] {
      for_each_block(run.connections, config.worker_threads,
                     [&](std::size_t i) { open[i] = blocking_connection(run, i); });
      for_each_block(run.connections, config.worker_threads,
                     [&](std::size_t i) { open[i].finish(); });
    });
  });
}

template <>
readiness_result readiness_workload::run(models::tbb_model, const readiness_params& p,
                                         const models::config& config) {
  return run_exchanges(p, [&](exchange_run& run) {
    std::vector<blocking_exchanges> open(run.connections);
    const auto each = [&](auto f) { for_each_block(run.connections, config.worker_threads, f); };
    tbb_model::run_in_arena(config.worker_threads, [&] {
      each([&](std::size_t i) { open[i] = blocking_exchanges(run, i); });
      for (std::size_t k = 0; k < run.exchanges; ++k) {
        each([&](std::size_t i) { open[i].send(k); });
        each([&](std::size_t i) { open[i].receive(k); });
      }
    });
  });
}

}  // namespace concur::connections
