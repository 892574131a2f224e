#pragma once
// tbb: oneTBB work-stealing tasks on an arena's threads; a blocking call holds an arena thread.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <future>
#include <mutex>
#include <system_error>
#include <thread>
#include <type_traits>
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
    group_.run(annotated<std::decay_t<F>>(std::forward<F>(f), this));
  }

  void wait() {
    group_.wait();
    tsan_acquire(&finished_);
  }

  void cancel() { group_.cancel(); }

 private:
  // The task's callable. oneTBB moves it into its task object after run() is called, so each
  // move ends with a release (of a static address: the task reads nothing of itself before its
  // acquire); otherwise the copy's writes would race with the task's reads for TSan, whenever
  // the copy's stack has left TSan's history.
  template <class F>
  struct annotated {
    annotated(F&& fn, task_group* g) : f(std::move(fn)), group(g) { tsan_release(&spawned); }
    annotated(const F& fn, task_group* g) : f(fn), group(g) { tsan_release(&spawned); }
    annotated(annotated&& o) noexcept : f(std::move(o.f)), group(o.group) {
      tsan_release(&spawned);
    }
    annotated(const annotated& o) : f(o.f), group(o.group) { tsan_release(&spawned); }
    void operator()() const {
      tsan_acquire(&spawned);
      f();
      tsan_release(&group->finished_);
    }
    F f;
    task_group* group;
  };

  static inline char spawned = 0;  // only its address is used, as a TSan sync object
  oneapi::tbb::task_group group_;
  char finished_ = 0;  // likewise
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
