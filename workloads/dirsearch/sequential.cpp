// sequential: one root after another on the calling thread, each an iterative walk (a stack of
// directories, no recursion); every directory read blocks it.
#include "workloads/dirsearch/dirsearch.hpp"

namespace concur::dirsearch {

template <>
result workload::run(models::sequential_model, const params& p, const models::config&) {
  result out;
  for (auto& root : resolve_roots(p)) {
    tally found;
    std::vector<dir_job> pending{root_job(root)};
    while (!pending.empty()) {
      dir_job job = std::move(pending.back());
      pending.pop_back();
      read_directory(std::move(job), p.opts, found, pending);
    }
    out.roots.push_back(finish_root(p, std::move(root), std::move(found)));
  }
  return out;
}

}  // namespace concur::dirsearch
