#pragma once
// Peak resident memory a piece of work added, measured by the kernel (VmHWM), not estimated.
#include <cstdint>
#include <optional>

namespace concur {

class peak_rss_probe {
 public:
  // Returns freed heap to the OS and resets the kernel's high-water mark to the current RSS.
  peak_rss_probe();
  // Growth of the peak RSS since construction, in bytes; nullopt when the kernel would not reset
  // the mark (then a growth could belong to earlier work, and is not reported).
  std::optional<std::int64_t> growth() const;

 private:
  bool reset_ok_;
  std::int64_t baseline_;
};

// Current and peak resident set of this process, in bytes (from /proc/self/status).
std::int64_t current_rss_bytes();
std::int64_t peak_rss_bytes();

}  // namespace concur
