// coroutines: a coroutine per root on one thread, reading a slice (one getdents64 buffer) and
// yielding (the lab's asyncio.sleep(0)): the searches interleave; the walk is still sequential.
#include <boost/asio/post.hpp>

#include "models/coroutines.hpp"
#include "workloads/dirsearch/dirsearch.hpp"

namespace concur::dirsearch {
namespace {

// asyncio.sleep(0): lets every other ready coroutine run once before this one continues.
coroutines::task<void> yield_to_loop() {
  co_await boost::asio::post(co_await boost::asio::this_coro::executor, loop::use_task);
}

coroutines::task<root_result> search_root(const params& p, std::string root) {
  tally found;
  std::vector<dir_job> pending{root_job(root)};
  while (!pending.empty()) {
    dir_job job = std::move(pending.back());
    pending.pop_back();
    dir_reader reader(std::move(job), p.opts, found);
    while (reader.read_some(found, pending)) co_await yield_to_loop();
  }
  co_return finish_root(p, std::move(root), std::move(found));
}

}  // namespace

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  const auto roots = resolve_roots(p);
  auto found = coroutines::run([&]() -> coroutines::task<std::vector<root_result>> {
    std::vector<coroutines::task<root_result>> searches;
    for (const auto& root : roots) searches.push_back(search_root(p, root));
    co_return co_await coroutines::gather(std::move(searches));
  });
  return {std::move(found)};
}

}  // namespace concur::dirsearch
