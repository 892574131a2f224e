// fibers: a fiber per root on one thread, reading a slice (one getdents64 buffer) directly on the
// fiber, then yielding to the loop: the searches interleave as in the coroutines model. The reads
// are made on the fiber, not handed to a pool: a slice of a directory in the page cache takes
// microseconds, less than a hop to a pool thread and back would cost.
#include "models/fibers.hpp"
#include "workloads/dirsearch/dirsearch.hpp"
#include "workloads/dirsearch/walk.hpp"

namespace concur::dirsearch {
namespace {

root_result search_root(const params& p, std::string root, fibers::yield_context yield) {
  tally found;
  std::vector<dir_job> pending{root_job(root)};
  while (!pending.empty()) {
    dir_job job = std::move(pending.back());
    pending.pop_back();
    dir_reader reader(std::move(job), p.opts, found);
    while (reader.read_some(found, pending)) fibers::yield_now(yield);
  }
  return finish_root(p, std::move(root), std::move(found));
}

}  // namespace

template <>
result workload::run(models::fibers_model, const params& p, const models::config&) {
  const auto roots = resolve_roots(p);
  std::vector<root_result> found(roots.size());
  fibers::run([&](fibers::yield_context yield) {
    fibers::group searches(yield, roots.size());
    for (std::size_t i = 0; i < roots.size(); ++i)
      searches.spawn(
          [&, i](fibers::yield_context yield) { found[i] = search_root(p, roots[i], yield); });
    searches.wait();
  });
  return {std::move(found)};
}

}  // namespace concur::dirsearch
