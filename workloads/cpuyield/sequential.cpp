// sequential: the computation alone on the calling thread; no heartbeat can run beside it, and its
// yield points have nothing to yield to.
#include "workloads/cpuyield/cpuyield.hpp"

namespace concur::cpuyield {

template <>
result workload::run(models::sequential_model, const params& p, const models::config&) {
  measurement measured(p);
  result r;
  measured.computation_starts();
  sliced_chain chain(p, r);
  while (chain.next_slice()) {
    // a yield point, with nothing to yield to
  }
  measured.computation_ends();
  return measured.finish(std::move(r));
}

}  // namespace concur::cpuyield
