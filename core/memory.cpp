#include "core/memory.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>

namespace concur {
namespace {

// A "Key:   123 kB" line of /proc/self/status, in KiB; -1 when absent. Read with system calls into
// a buffer on the stack: a forked worker reads it too (peak_rss_probe::after_fork).
std::int64_t status_kib(std::string_view key) {
  char text[8192];
  const int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  std::size_t size = 0;
  for (ssize_t n;
       size + 1 < sizeof text && (n = ::read(fd, text + size, sizeof text - 1 - size));) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    size += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text[size] = '\0';
  for (const char* line = text; *line;) {
    if (std::strncmp(line, key.data(), key.size()) == 0 && line[key.size()] == ':')
      return std::strtoll(line + key.size() + 1, nullptr, 10);
    const char* next = std::strchr(line, '\n');
    if (!next) break;
    line = next + 1;
  }
  return -1;
}

// "5" resets VmHWM to the current RSS (Linux >= 4.0, see proc(5), clear_refs).
bool reset_peak_mark() {
  const int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool written = ::write(fd, "5", 1) == 1;
  ::close(fd);
  return written;
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

// Resets the kernel's high-water mark and confirms the reset against a fresh RSS reading, up to
// `attempts` times `pause` apart; the baseline once the two agree, nullopt when they never do or
// the kernel refuses the reset.
// They agree when the mark is within 64 KiB of RSS, or when the gap between them stays the same
// over three readings: RSS is then not falling, and the gap is the kernel's own (on this 6.x
// kernel the mark a reset sets and the RSS /proc reads can disagree by a steady 84-196 KiB for
// seconds; waiting for them to meet cost a second per cell and lost its figure). The baseline is
// then the mark itself, from which the run's peak is measured.
std::optional<std::int64_t> settled_reset(int attempts, std::chrono::milliseconds pause) {
  constexpr std::int64_t agreement = 64 * 1024;
  std::optional<std::int64_t> last_gap;
  int steady = 0;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0 && pause.count() > 0) std::this_thread::sleep_for(pause);
    if (!reset_peak_mark()) return std::nullopt;
    const std::int64_t rss = current_rss_bytes();
    const std::int64_t mark = peak_rss_bytes();
    if (mark <= rss + agreement) return rss;
    steady = last_gap == mark - rss ? steady + 1 : 0;
    if (steady == 2) return mark;
    last_gap = mark - rss;
  }
  return std::nullopt;
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
  // RSS may still be falling just after earlier work (the kernel reclaiming what exited threads
  // left, an allocator's purge), for longer on a busy machine, so the reset is retried until RSS
  // has settled (a second at most, untimed).
  if (const auto baseline = settled_reset(500, std::chrono::milliseconds(2))) {
    reset_ok_ = true;
    baseline_ = *baseline;
  }
}

peak_rss_probe peak_rss_probe::after_fork() {
  // The first reset may see counts the kernel has not yet brought up to date (it batches a
  // thread's RSS changes); reading /proc/self/status brings them, so a second reset agrees.
  const auto baseline = settled_reset(8, std::chrono::milliseconds(0));
  return {baseline.has_value(), baseline.value_or(0)};
}

std::optional<std::int64_t> peak_rss_probe::growth() const {
  if (!reset_ok_) return std::nullopt;
  return peak_rss_bytes() - baseline_;
}

}  // namespace concur
