// coroutines: one Asio loop on one thread, a C++20 coroutine per connection (asyncio's
// start_server).
#include <boost/asio/io_context.hpp>

#include "workloads/serve/loop_session.hpp"
#include "workloads/serve/serve.hpp"

namespace concur::serve {

template <>
void serve_site(models::coroutines_model, const server_context& ctx) {
  boost::asio::io_context loop(1);
  net::loop_acceptor acceptor(loop, net::tcp::v4(), ctx.listener);
  boost::asio::co_spawn(loop,
                        accept_sessions(std::move(acceptor), answer_here(ctx.answers), ctx.counters,
                                        [&] { return loop.get_executor(); }),
                        boost::asio::detached);
  ctx.ready({});
  loop.run();
}

}  // namespace concur::serve
