// coroutines_mt: an Asio loop per core (worker_threads io_contexts, a thread each); the first
// accepts and deals the connections out in turn, each then served by a coroutine on its loop for
// its whole life, so nothing of a connection crosses threads.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <thread>
#include <vector>

#include "workloads/serve/loop_session.hpp"
#include "workloads/serve/serve.hpp"

namespace concur::serve {

template <>
void serve_site(models::coroutines_mt_model, const server_context& ctx) {
  namespace asio = boost::asio;
  std::deque<asio::io_context> loops;
  std::vector<asio::executor_work_guard<loop::executor_type>> busy;
  for (unsigned i = 0; i < std::max(1u, ctx.config.worker_threads); ++i)
    busy.push_back(asio::make_work_guard(loops.emplace_back(1).get_executor()));
  std::size_t next = 0;
  asio::co_spawn(loops.front(),
                 accept_sessions(net::loop_acceptor(loops.front(), net::tcp::v4(), ctx.listener),
                                 answer_here(ctx.answers), ctx.counters,
                                 [&] { return loops[next++ % loops.size()].get_executor(); }),
                 asio::detached);
  std::vector<std::jthread> threads;
  for (std::size_t i = 1; i < loops.size(); ++i) threads.emplace_back([&, i] { loops[i].run(); });
  ctx.ready({});
  loops.front().run();
}

}  // namespace concur::serve
