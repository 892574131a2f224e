#pragma once
// tbb: oneTBB work-stealing tasks on an arena's threads; a blocking call holds an arena thread.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <utility>

namespace concur::tbb_model {

using task_group = oneapi::tbb::task_group;

// Runs f inside an arena of `threads` (the caller joins it as one of them) and waits for it.
template <class F>
void run_in_arena(unsigned threads, F&& f) {
  // The global pool must be big enough for the arena, whatever the cores.
  oneapi::tbb::global_control pool(oneapi::tbb::global_control::max_allowed_parallelism, threads);
  oneapi::tbb::task_arena arena(static_cast<int>(threads));
  arena.execute(std::forward<F>(f));
}

}  // namespace concur::tbb_model
