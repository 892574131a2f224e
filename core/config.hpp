#pragma once
// The settings every model reads and the bound on tasks in flight a model declares: what the
// contract (workload.hpp) and the reports speak of, below the models themselves.
#include <cstddef>
#include <optional>

namespace concur {

// Settings every model reads; they appear beside every result.
struct config {
  unsigned pool_threads;  // executor: Python's ThreadPoolExecutor default, min(32, cores + 4)
  // tbb's arena, and the threads the threads model shares among the roots where it bounds its
  // fan-out (dirsearch's walkers): the cores.
  unsigned worker_threads;
  // processes: the worker processes forked for a run (at most one per job): the cores.
  unsigned worker_processes;
  static config defaults();
};

// std::nullopt: no bound on tasks in flight.
using in_flight = std::optional<std::size_t>;

}  // namespace concur
