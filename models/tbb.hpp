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

// oneTBB's task_group. Debian's libtbb is not built with ThreadSanitizer, so TSan cannot see the
// synchronisation it does when it hands a task to a worker and when wait() returns; under TSan
// this wrapper tells it (release before a task is queued and when it ends, acquire when it starts
// and after wait). Without TSan the annotations are gone and this is the task_group itself.
class task_group {
 public:
  template <class F>
  void run(F&& f) {
    release();
    group_.run([this, f = std::forward<F>(f)] {
      acquire();
      f();
      release();
    });
  }

  void wait() {
    group_.wait();
    acquire();
  }

  void cancel() { group_.cancel(); }

 private:
#if defined(__SANITIZE_THREAD__)
  void release() {
    __tsan_release(this);
  }
  void acquire() {
    __tsan_acquire(this);
  }
#else
  void release() {}
  void acquire() {}
#endif

  oneapi::tbb::task_group group_;
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
