// sequential: the computation alone on the calling thread; no heartbeat can run beside it, and its
// yield points have nothing to yield to.
#include "workloads/cpuyield/cpuyield.hpp"

namespace concur::cpuyield {

result workload::run(models::sequential_model, const params& p, const models::config&) {
  const double solo = solo_ms_per_step(p.iterations);
  result r;
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t x = seed;
  const std::uint64_t slice = p.yield_every ? p.yield_every : p.iterations;
  while (r.iterations < p.iterations) {
    const std::uint64_t next = std::min(p.iterations, r.iterations + slice);
    x = compute(x, r.iterations, next);
    r.iterations = next;
    if (r.iterations < p.iterations) ++r.yields;
  }
  r.answer = x;
  measure(r, heartbeat_log{}, std::chrono::steady_clock::now() - start, solo);
  return r;
}

}  // namespace concur::cpuyield
