#pragma once
// A heartbeat's log: the moments it ticked, and the gaps between them (worst, 99th percentile).
// Written by the one task that ticks; read once it has stopped.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <vector>

namespace concur {

class heartbeat_log {
 public:
  using clock = std::chrono::steady_clock;

  void tick() { ticks_.push_back(clock::now()); }
  std::size_t ticks() const { return ticks_.size(); }

  // Gaps between consecutive ticks, in milliseconds, sorted ascending.
  std::vector<double> gaps_ms() const {
    std::vector<double> gaps;
    for (std::size_t i = 1; i < ticks_.size(); ++i)
      gaps.push_back(std::chrono::duration<double, std::milli>(ticks_[i] - ticks_[i - 1]).count());
    std::sort(gaps.begin(), gaps.end());
    return gaps;
  }
  double worst_gap_ms() const {
    const auto gaps = gaps_ms();
    return gaps.empty() ? 0.0 : gaps.back();
  }
  // The nearest-rank percentile of the gaps (0 when there are none).
  double gap_percentile_ms(double p) const {
    const auto gaps = gaps_ms();
    if (gaps.empty()) return 0.0;
    const auto rank =
        static_cast<std::size_t>(p / 100.0 * static_cast<double>(gaps.size()) + 0.999999);
    return gaps[std::clamp<std::size_t>(rank, 1, gaps.size()) - 1];
  }

 private:
  std::vector<clock::time_point> ticks_;
};

}  // namespace concur
