#include "core/memory.hpp"

#include <dlfcn.h>
#include <malloc.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace concur {
namespace {

std::int64_t status_kib(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return std::stoll(line.substr(key.size() + 1));
  return -1;
}

// Hands the heap's free pages back to the kernel, so that a run's peak RSS counts what it used
// rather than what an earlier run left cached. glibc's malloc_trim does nothing for an allocator
// preloaded in its place (concur-bench --allocator), so theirs are asked too, found by name at run
// time: jemalloc purges every arena, mimalloc collects with force (it still keeps pages freed
// moments before committed, its decommit delay: the report says so).
void release_free_heap() {
  malloc_trim(0);
  using mallctl_fn = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
  constexpr const char* purge_every_arena = "arena.4096.purge";  // 4096: MALLCTL_ARENAS_ALL
  if (auto* mallctl = reinterpret_cast<mallctl_fn>(dlsym(RTLD_DEFAULT, "mallctl")))
    mallctl(purge_every_arena, nullptr, nullptr, nullptr, 0);
  using mi_collect_fn = void (*)(bool);
  if (auto* mi_collect = reinterpret_cast<mi_collect_fn>(dlsym(RTLD_DEFAULT, "mi_collect")))
    mi_collect(true);
}

}  // namespace

std::int64_t current_rss_bytes() {
  return status_kib("VmRSS") * 1024;
}
std::int64_t peak_rss_bytes() {
  return status_kib("VmHWM") * 1024;
}

peak_rss_probe::peak_rss_probe() : reset_ok_(false), baseline_(0) {
  release_free_heap();
  // "5" resets VmHWM to the current RSS (Linux >= 4.0, see proc(5), clear_refs). RSS may still be
  // falling just after earlier work (the kernel reclaiming what exited threads left, an
  // allocator's purge), for longer on a busy machine, so the reset is confirmed against a fresh
  // reading and retried until RSS has settled (a second at most, untimed).
  for (int attempt = 0; attempt < 500 && !reset_ok_; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5" << std::flush;
    if (!clear) return;
    baseline_ = current_rss_bytes();
    reset_ok_ = peak_rss_bytes() <= baseline_ + 64 * 1024;
  }
}

std::optional<std::int64_t> peak_rss_probe::growth() const {
  if (!reset_ok_) return std::nullopt;
  return peak_rss_bytes() - baseline_;
}

}  // namespace concur
