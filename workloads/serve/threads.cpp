// threads: a thread per connection. The main thread accepts; each connection gets a std::thread
// of its own (detached: it ends with its connection) that serves it with blocking calls.
#include <unistd.h>

#include <system_error>
#include <thread>

#include "workloads/serve/protocol.hpp"
#include "workloads/serve/serve.hpp"

namespace concur::serve {

template <>
void serve_site(models::threads_model, const server_context& ctx) {
  ctx.ready({});
  for (;;) {
    const int fd = accept_connection(ctx.listener);
    try {
      std::thread([fd, &ctx] { serve_blocking(fd, ctx.answers, ctx.counters); }).detach();
    } catch (const std::system_error&) {
      ::close(fd);  // no thread to be had: the client sees the connection closed, and counts it
    }
  }
}

}  // namespace concur::serve
