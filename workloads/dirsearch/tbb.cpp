// tbb: a task per directory in one task_group, work-stealing across the arena; each directory
// read blocks the arena thread running it.
#include <oneapi/tbb/enumerable_thread_specific.h>

#include "models/tbb.hpp"
#include "workloads/dirsearch/dirsearch.hpp"

namespace concur::dirsearch {
namespace {

class search {
 public:
  search(const params& p, std::size_t roots)
      : opts_(p.opts), found_([roots] { return std::vector<tally>(roots); }) {}

  void start(dir_job job, std::size_t root) {
    group_.run([this, job = std::move(job), root] { visit(job, root); });
  }

  // Waits for every task, then merges what each thread found, per root.
  std::vector<tally> wait(std::size_t roots) {
    group_.wait();
    std::vector<tally> merged(roots);
    for (auto& per_thread : found_)
      for (std::size_t r = 0; r < roots; ++r) merged[r].merge(std::move(per_thread[r]));
    return merged;
  }

 private:
  void visit(dir_job job, std::size_t root) {
    std::vector<dir_job> subdirs;
    read_directory(std::move(job), opts_, found_.local()[root], subdirs);
    for (auto& sub : subdirs) start(std::move(sub), root);
  }

  options opts_;
  oneapi::tbb::enumerable_thread_specific<std::vector<tally>> found_;
  tbb_model::task_group group_;
};

}  // namespace

result workload::run(models::tbb_model, const params& p, const models::config& config) {
  const auto roots = resolve_roots(p);
  std::vector<tally> found;
  tbb_model::run_in_arena(config.arena_threads, [&] {
    search s(p, roots.size());
    for (std::size_t r = 0; r < roots.size(); ++r) s.start(root_job(roots[r]), r);
    found = s.wait(roots.size());
  });
  result out;
  for (std::size_t r = 0; r < roots.size(); ++r)
    out.roots.push_back(finish_root(p, roots[r], std::move(found[r])));
  return out;
}

}  // namespace concur::dirsearch
