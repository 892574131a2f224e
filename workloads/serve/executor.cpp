// executor: the loop accepts and reads, and parses each request; the handler (the site's answer)
// runs on the pool (run_in_executor) and the loop writes what it gave. One loop thread and
// pool_threads workers.
#include "models/executor.hpp"
#include "workloads/serve/loop_session.hpp"
#include "workloads/serve/serve.hpp"

namespace concur::serve {

template <>
void serve_site(models::executor_model, const server_context& ctx) {
  executor::event_loop loop(ctx.config.pool_threads);
  auto& pool = loop.pool();
  const auto on_the_pool = [&pool, &answers = ctx.answers](const request& r) {
    const auto handler = [&answers, r] { return respond(answers, r); };
    return executor::run_in_executor(pool, handler);
  };
  loop.run([&]() -> loop::task<void> {
    const auto here = co_await boost::asio::this_coro::executor;
    ctx.ready({});
    co_await accept_sessions(net::loop_acceptor(here, net::tcp::v4(), ctx.listener), on_the_pool,
                             ctx.counters, [here] { return here; });
  });
}

}  // namespace concur::serve
