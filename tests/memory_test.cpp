// The peak-RSS probe on this machine's kernel: it gives a figure after other threads freed memory
// (whose RSS the kernel may still hold in per-CPU counters: core/memory.cpp), and the figure counts
// what a piece of work touched.
#include "core/memory.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <thread>
#include <vector>

namespace concur {
namespace {

// Threads that each touch 64 pages and unmap 20 of them, and exit: the kernel counts RSS in
// per-CPU deltas that it folds in 32 pages at a time, so the 20 unmapped pages can stay pending on
// the CPU a thread ran on, as a model's workers leave them. Returns the mappings still held.
struct held_pages {
  void* at;
  std::size_t bytes;
};
std::vector<held_pages> leave_pending_deltas() {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<held_pages> held(2);
  std::vector<std::jthread> threads;
  for (auto& h : held)
    threads.emplace_back([&h, page] {
      void* at =
          ::mmap(nullptr, 64 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (at == MAP_FAILED) return;
      std::memset(at, 1, 64 * page);
      ::munmap(static_cast<char*>(at) + 44 * page, 20 * page);
      h = {at, 44 * page};
    });
  threads.clear();
  return held;
}

void release(const std::vector<held_pages>& held) {
  for (const auto& h : held)
    if (h.bytes) ::munmap(h.at, h.bytes);
}

TEST(peak_rss_probe, gives_a_figure_after_other_threads_freed_memory) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    const auto held = leave_pending_deltas();
    const peak_rss_probe probe;
    EXPECT_TRUE(probe.growth().has_value()) << "attempt " << attempt;
    release(held);
  }
}

TEST(peak_rss_probe, counts_the_memory_a_piece_of_work_touched) {
  const auto held = leave_pending_deltas();
  const peak_rss_probe probe;
  constexpr std::size_t touched = 32 << 20;
  std::vector<char> block(touched);
  std::memset(block.data(), 1, touched);
  const auto growth = probe.growth();
  ASSERT_TRUE(growth.has_value());
  // At least what was touched; a sanitizer's shadow memory adds its own (ThreadSanitizer's ~4x).
  EXPECT_GE(*growth, static_cast<std::int64_t>(touched) - (1 << 20));
  release(held);
}

}  // namespace
}  // namespace concur
