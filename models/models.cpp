#include "models/models.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include "core/environment.hpp"
#include "models/threads.hpp"

namespace concur {
namespace models {

std::vector<std::string> names() {
  std::vector<std::string> out;
  for_each_type(all{}, [&]<class M>() { out.emplace_back(M::name); });
  return out;
}

std::string names_text() {
  const auto all_names = names();
  std::string out;
  for (std::size_t i = 0; i < all_names.size(); ++i)
    out += (i == 0 ? "" : i + 1 == all_names.size() ? " or " : ", ") + all_names[i];
  return out;
}

unknown_model::unknown_model(std::string_view name)
    : std::invalid_argument(fmt::format("no model named {} (the models: {})", name, names_text())) {
}

std::string threads_model::settings(const config&) {
  return fmt::format("one std::jthread per task, stack limit {} bytes", rlimit_value(RLIMIT_STACK));
}

std::string executor_model::settings(const config& c) {
  return fmt::format("1 loop thread + pool of {}", c.pool_threads);
}

std::string tbb_model::settings(const config& c) {
  return fmt::format("task_arena of {}", c.worker_threads);
}

std::string fibers_model::settings(const config& c) {
  return fmt::format(
      "1 thread, asio::spawn fibers, fixedsize_stack of {} KiB each (malloc'd, no guard page); "
      "offload's blocking calls on a pool of {}, dirsearch's reads made on the fiber",
      stack_bytes / 1024, c.pool_threads);
}

std::string processes_model::settings(const config& c) {
  return fmt::format(
      "{} worker processes (one per job when fewer; prodcons: one per producer and per consumer; "
      "connections and readiness: more when one process's descriptors cannot hold a share), "
      "forked for each run, each an Asio "
      "coroutine loop on its one thread; the parent's loop hands out the jobs and gathers the "
      "answers over a UNIX socket pair per worker. A run's time includes the forks, the hand-out, "
      "the gather and reaping the workers; its CPU the workers' (reaped: RUSAGE_CHILDREN); its "
      "peak-RSS growth the parent's plus each worker's own from its fork (VmHWM reset there): "
      "pages it touched anew, the program's code faulted in again included; pages shared with the "
      "parent and copied on write are not counted",
      c.worker_processes);
}

}  // namespace models

namespace fibers {

std::string fiber_limit_message(std::size_t started, std::size_t wanted) {
  return fmt::format(
      "the OS refused the stack of fiber {} of {} ({} KiB each); limits: RLIMIT_AS {} bytes, "
      "vm.overcommit_memory {}, vm.max_map_count {}",
      started + 1, wanted, models::fibers_model::stack_bytes / 1024, rlimit_value(RLIMIT_AS),
      proc_value("/proc/sys/vm/overcommit_memory"), proc_value("/proc/sys/vm/max_map_count"));
}

}  // namespace fibers

namespace threads {

std::string thread_limit_message(std::size_t started, std::size_t wanted,
                                 const std::system_error& e) {
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
// Debian's libtbb is not built with ThreadSanitizer, so the hand-over of a task (or a pipeline
// token) from the thread that made it to the worker that runs it happens inside the library,
// invisible to TSan. Dropped: reports in which one access is oneTBB constructing its task object
// (a frame named function_task: copying the closure in), and reports whose top frame is oneTBB's
// own header code on its own objects (task_group.h: finalising a task whose memory its small-object
// pool recycled across threads; the pipeline header's tokens). The hand-over of the tasks' own data
// is annotated (models/tbb_tsan.hpp), so races inside task bodies are still reported. Built in, so
// every binary and every run has it.
extern "C" const char* __tsan_default_suppressions() {
  return "race:function_task\n"
         "race_top:oneapi/tbb/task_group.h\n"
         "race_top:oneapi/tbb/detail/_pipeline_filters.h\n";
}
#endif
