#pragma once
// tbb: oneTBB work-stealing tasks on an arena's threads; a blocking call holds an arena thread.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <future>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "core/workload.hpp"
#include "models/threads.hpp"

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

// oneTBB starts its workers on threads of its own, and a worker the OS refuses ends the process
// (the exception leaves the library's thread: std::terminate). So the threads an arena needs are
// asked of the OS first, once per process and size, all alive at once: a refusal is then
// resource_exhausted, as in the threads model, and the probe's threads are joined.
inline void reserve_threads(unsigned threads) {
  static std::mutex mutex;
  static unsigned reserved = 1;
  const std::scoped_lock lock(mutex);
  if (threads <= reserved) return;
  std::promise<void> release;
  const std::shared_future<void> released = release.get_future().share();
  std::vector<std::jthread> probe;
  probe.reserve(threads);
  try {
    while (probe.size() < threads) probe.emplace_back([released] { released.wait(); });
  } catch (const std::system_error& e) {
    const std::size_t started = probe.size();
    release.set_value();
    probe.clear();  // joins
    throw resource_exhausted(threads::thread_limit_message(started, threads, e));
  }
  release.set_value();
  reserved = threads;
}

// Runs f inside an arena of `threads` (the caller joins it as one of them) and waits for it.
template <class F>
void run_in_arena(unsigned threads, F&& f) {
  reserve_threads(threads);
  // The global pool must be big enough for the arena, whatever the cores.
  oneapi::tbb::global_control pool(oneapi::tbb::global_control::max_allowed_parallelism, threads);
  oneapi::tbb::task_arena arena(static_cast<int>(threads));
  arena.execute(std::forward<F>(f));
}

}  // namespace concur::tbb_model
