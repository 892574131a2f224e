// sequential: one call after another on the calling thread; each blocks it.
#include "workloads/offload/offload.hpp"

namespace concur::offload {

template <>
result workload::run(models::sequential_model, const params& p, const models::config&) {
  result r;
  for (std::size_t i = 0; i < p.calls; ++i) {
    r.values.push_back(sundial(i, p.delay));
    ++r.calls;
  }
  return r;
}

}  // namespace concur::offload
