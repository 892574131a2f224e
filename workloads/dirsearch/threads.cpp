// threads: a std::jthread per root (the lab's tasks) plus bounded helpers sharing its stack of
// sub-trees (the cores split among the roots); each directory read blocks only its thread.
#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "models/threads.hpp"
#include "workloads/dirsearch/dirsearch.hpp"

namespace concur::dirsearch {
namespace {

// One root's directories still to read, shared by that root's threads.
class shared_stack {
 public:
  explicit shared_stack(dir_job root) : pending_{std::move(root)} {}

  // The next directory, or nullopt once none is pending and no thread can add more.
  std::optional<dir_job> take() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !pending_.empty() || busy_ == 0; });
    if (pending_.empty()) return std::nullopt;
    dir_job job = std::move(pending_.back());
    pending_.pop_back();
    ++busy_;
    return job;
  }

  // Hands back what reading a taken directory found below it.
  void done(std::vector<dir_job>& subdirs) {
    {
      std::scoped_lock lock(mutex_);
      for (auto& job : subdirs) pending_.push_back(std::move(job));
      --busy_;
    }
    subdirs.clear();
    ready_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<dir_job> pending_;
  std::size_t busy_ = 0;
};

void search_part(shared_stack& stack, const options& opts, tally& found) {
  std::vector<dir_job> subdirs;
  while (auto job = stack.take()) {
    read_directory(std::move(*job), opts, found, subdirs);
    stack.done(subdirs);
  }
}

}  // namespace

template <>
result workload::run(models::threads_model, const params& p, const models::config& config) {
  const auto roots = resolve_roots(p);
  const std::size_t per_root =
      std::max<std::size_t>(1, config.worker_threads / std::max<std::size_t>(1, roots.size()));
  std::vector<std::optional<shared_stack>> stacks(roots.size());
  std::vector<std::vector<tally>> found(roots.size(), std::vector<tally>(per_root));
  result out;
  out.roots.resize(roots.size());
  {
    threads::task_group group(roots.size());
    for (std::size_t r = 0; r < roots.size(); ++r) {
      stacks[r].emplace(root_job(roots[r]));
      group.spawn([&, r] {
        threads::task_group helpers(per_root - 1);
        for (std::size_t h = 1; h < per_root; ++h)
          helpers.spawn([&, r, h] { search_part(*stacks[r], p.opts, found[r][h]); });
        search_part(*stacks[r], p.opts, found[r][0]);
        helpers.join();
        for (std::size_t h = 1; h < per_root; ++h) found[r][0].merge(std::move(found[r][h]));
        out.roots[r] = finish_root(p, roots[r], std::move(found[r][0]));
      });
    }
    group.join();
  }
  return out;
}

}  // namespace concur::dirsearch
