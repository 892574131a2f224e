// executor: a coroutine per root on the loop thread (a few per root share its stack of
// directories); each directory read is a blocking call run on the pool and awaited.
#include <algorithm>

#include "models/executor.hpp"
#include "workloads/dirsearch/dirsearch.hpp"

namespace concur::dirsearch {
namespace {

// One root's search; everything here is touched only on the loop thread, so nothing is locked.
struct root_search {
  root_search(executor::task<>::executor_type ex, dir_job root)
      : pending{std::move(root)}, wake(ex) {
    wake.expires_at(loop::steady_timer::time_point::max());
  }
  std::vector<dir_job> pending;
  std::size_t reading = 0;
  tally found;
  loop::steady_timer wake;  // cancelled whenever new directories arrive or the last read ends
};

struct listing {
  tally found;
  std::vector<dir_job> subdirs;
};

// Takes directories from the root's stack until it is empty and no read is in flight.
executor::task<void> reader(boost::asio::thread_pool& pool, root_search& s, const options& opts) {
  for (;;) {
    while (s.pending.empty()) {
      if (s.reading == 0) co_return;
      co_await s.wake.async_wait(boost::asio::as_tuple(loop::use_task));
    }
    dir_job job = std::move(s.pending.back());
    s.pending.pop_back();
    ++s.reading;
    listing l;  // in this coroutine's frame: the pool thread fills it while we wait
    co_await executor::run_in_executor(
        pool, [&] { read_directory(std::move(job), opts, l.found, l.subdirs); });
    --s.reading;
    s.found.merge(std::move(l.found));
    for (auto& sub : l.subdirs) s.pending.push_back(std::move(sub));
    s.wake.cancel();
  }
}

executor::task<root_result> search_root(boost::asio::thread_pool& pool, const params& p,
                                        std::string root, std::size_t readers) {
  root_search s(co_await boost::asio::this_coro::executor, root_job(root));
  std::vector<executor::task<bool>> tasks;
  for (std::size_t i = 0; i < readers; ++i)
    tasks.push_back([](auto& pool, auto& s, const options& opts) -> executor::task<bool> {
      co_await reader(pool, s, opts);
      co_return true;
    }(pool, s, p.opts));
  co_await executor::gather(std::move(tasks));
  co_return finish_root(p, std::move(root), std::move(s.found));
}

}  // namespace

template <>
result workload::run(models::executor_model, const params& p, const models::config& config) {
  const auto roots = resolve_roots(p);
  // The pool's threads shared among the roots: that many reads of one root in flight at once.
  const std::size_t readers =
      std::max<std::size_t>(1, config.pool_threads / std::max<std::size_t>(1, roots.size()));
  executor::event_loop loop(config.pool_threads);
  auto found = loop.run([&]() -> executor::task<std::vector<root_result>> {
    std::vector<executor::task<root_result>> searches;
    for (const auto& root : roots) searches.push_back(search_root(loop.pool(), p, root, readers));
    co_return co_await executor::gather(std::move(searches));
  });
  return {std::move(found)};
}

}  // namespace concur::dirsearch
