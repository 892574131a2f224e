#pragma once
// tbb: oneTBB work-stealing tasks on an arena's threads; a blocking call holds an arena thread.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <utility>

#include "models/tbb_tsan.hpp"

namespace concur::tbb_model {

// oneapi::tbb::task_group's run() and wait(), with the happens-before oneTBB gives made visible to
// ThreadSanitizer (Debian's libtbb is not instrumented): what the
// spawner wrote before run() is seen by the task, and what a task wrote is seen after wait().
class task_group {
 public:
  template <class F>
  void run(F&& f) {
    tsan_release(&spawned_);
    group_.run([this, f = std::forward<F>(f)] {
      tsan_acquire(&spawned_);
      f();
      tsan_release(&finished_);
    });
  }

  void wait() {
    group_.wait();
    tsan_acquire(&finished_);
  }

  void cancel() { group_.cancel(); }

 private:
  oneapi::tbb::task_group group_;
  char spawned_ = 0, finished_ = 0;  // only their addresses are used, as TSan sync objects
};

// Runs f inside an arena of `threads` (the caller joins it as one of them) and waits for it.
template <class F>
void run_in_arena(unsigned threads, F&& f) {
  // The global pool must be big enough for the arena, whatever the cores.
  oneapi::tbb::global_control pool(oneapi::tbb::global_control::max_allowed_parallelism, threads);
  oneapi::tbb::task_arena arena(static_cast<int>(threads));
  arena.execute(std::forward<F>(f));
}

}  // namespace concur::tbb_model
