#include "models/models.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <thread>

#include "core/environment.hpp"
#include "models/threads.hpp"

namespace concur {
namespace models {

config config::defaults() {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return {.pool_threads = std::min(32u, cores + 4), .arena_threads = cores};
}

std::string threads_model::settings(const config&) {
  return fmt::format("one std::jthread per task, stack limit {} bytes", rlimit_value(RLIMIT_STACK));
}

std::string executor_model::settings(const config& c) {
  return fmt::format("1 loop thread + pool of {}", c.pool_threads);
}

std::string tbb_model::settings(const config& c) {
  return fmt::format("task_arena of {}", c.arena_threads);
}

}  // namespace models

namespace threads {

std::string thread_limit_message(std::size_t started, std::size_t wanted, const std::system_error& e) {
  return fmt::format(
      "the OS refused thread {} of {} ({}); limits: ulimit -u {}, kernel.threads-max {}, "
      "kernel.pid_max {}, vm.max_map_count {}",
      started + 1, wanted, e.code().message(), rlimit_value(RLIMIT_NPROC),
      proc_value("/proc/sys/kernel/threads-max"), proc_value("/proc/sys/kernel/pid_max"),
      proc_value("/proc/sys/vm/max_map_count"));
}

}  // namespace threads
}  // namespace concur

#if defined(__SANITIZE_THREAD__)
// oneTBB is not built with ThreadSanitizer, so handing a task's closure from the thread that
// spawned it to the thread that runs it (through TBB's own atomics) is invisible to TSan and is
// reported as a race on the closure's members. Only races with that construction are suppressed.
extern "C" const char* __tsan_default_suppressions() {
  return "race:function_task\n";
}
#endif
