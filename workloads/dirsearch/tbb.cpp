// tbb: a task per directory in one task_group, work-stealing across the arena; each directory
// read blocks the arena thread running it; a root is done when its last task ends.
#include <oneapi/tbb/enumerable_thread_specific.h>

#include <atomic>
#include <deque>

#include "models/tbb.hpp"
#include "workloads/dirsearch/dirsearch.hpp"

namespace concur::dirsearch {
namespace {

class search {
 public:
  search(const params& p, const std::vector<std::string>& roots) : p_(p), roots_(roots.size()) {
    out_.resize(roots.size());
    for (std::size_t r = 0; r < roots.size(); ++r) {
      roots_[r].path = roots[r];
      start(root_job(roots[r]), r);
    }
  }

  std::vector<root_result> wait() {
    group_.wait();
    return std::move(out_);
  }

 private:
  struct root_state {
    std::string path;
    oneapi::tbb::enumerable_thread_specific<tally> found;  // per thread, merged when done
    std::atomic<std::size_t> pending{0};                   // directories started, not yet read
  };

  void start(dir_job job, std::size_t root) {
    ++roots_[root].pending;
    group_.run([this, job = std::move(job), root] { visit(job, root); });
  }

  void visit(dir_job job, std::size_t root) {
    auto& state = roots_[root];
    std::vector<dir_job> subdirs;
    read_directory(std::move(job), p_.opts, state.found.local(), subdirs);
    for (auto& sub : subdirs) start(std::move(sub), root);
    if (--state.pending == 0) {
      // The root's last task: every other task of this root has ended, so its tallies are still.
      tally all;
      for (auto& part : state.found) all.merge(std::move(part));
      out_[root] = finish_root(p_, state.path, std::move(all));
    }
  }

  const params& p_;
  std::deque<root_state> roots_;  // holds atomics: built in place, never moved
  std::vector<root_result> out_;
  tbb_model::task_group group_;
};

}  // namespace

template <>
result workload::run(models::tbb_model, const params& p, const models::config& config) {
  const auto roots = resolve_roots(p);
  result out;
  tbb_model::run_in_arena(config.worker_threads, [&] {
    search s(p, roots);
    out.roots = s.wait();
  });
  return out;
}

}  // namespace concur::dirsearch
