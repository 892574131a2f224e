#pragma once
// Peak resident memory a piece of work added, measured by the kernel (VmHWM), not estimated.
#include <cstdint>
#include <optional>

namespace concur {

class peak_rss_probe {
 public:
  // Returns freed heap to the OS and resets the kernel's high-water mark to the current RSS.
  peak_rss_probe();
  // For a process just forked (a worker of the processes model): resets the mark at once, with
  // system calls only (no stream, no lock another thread of the parent may have held at the
  // fork), and neither trims the heap nor waits for RSS to settle: a fresh child has nothing
  // falling.
  static peak_rss_probe after_fork();
  // Growth of the peak RSS since construction, in bytes; nullopt when the kernel would not reset
  // the mark (then a growth could belong to earlier work, and is not reported).
  std::optional<std::int64_t> growth() const;

 private:
  peak_rss_probe(bool reset_ok, std::int64_t baseline) : reset_ok_(reset_ok), baseline_(baseline) {}
  bool reset_ok_;
  std::int64_t baseline_;
};

// Current and peak resident set of this process, in bytes (from /proc/self/status).
std::int64_t current_rss_bytes();
std::int64_t peak_rss_bytes();

}  // namespace concur
