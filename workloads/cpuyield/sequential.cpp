// sequential: the computation alone on the calling thread; no heartbeat can run beside it, and its
// yield points have nothing to yield to.
#include "workloads/cpuyield/cpuyield.hpp"

namespace concur::cpuyield {

template <>
result workload::run(models::sequential_model, const params& p, const models::config&) {
  const double solo = solo_ms_per_step(p.iterations);
  result r;
  const auto start = std::chrono::steady_clock::now();
  sliced_chain chain(p, r);
  while (chain.next_slice()) {
    // a yield point, with nothing to yield to
  }
  measure(r, heartbeat_log{}, std::chrono::steady_clock::now() - start, solo);
  return r;
}

}  // namespace concur::cpuyield
