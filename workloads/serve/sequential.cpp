// sequential: an iterative server. One connection at a time, served until its client closes it;
// the others wait in the listener's backlog meanwhile (under keep-alive, for as long as the first
// stays open: a result, which the load's counts show).
#include "workloads/serve/protocol.hpp"
#include "workloads/serve/serve.hpp"

namespace concur::serve {

template <>
void serve_site(models::sequential_model, const server_context& ctx) {
  ctx.ready({});
  for (;;) serve_blocking(accept_connection(ctx.listener), ctx.answers, ctx.counters);
}

}  // namespace concur::serve
