#pragma once
// tbb: oneTBB work-stealing tasks on an arena's threads; a blocking call holds an arena thread.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <utility>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace concur::tbb_model {

// oneTBB is not built with ThreadSanitizer, so the happens-before it gives between spawning a task,
// running it and wait() is invisible to TSan; these tell it. No-ops in every other build.
inline void tsan_release([[maybe_unused]] void* sync) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(sync);
#endif
}
inline void tsan_acquire([[maybe_unused]] void* sync) {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(sync);
#endif
}

// oneapi::tbb::task_group's run() and wait(), with that happens-before made visible: what the
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
