#pragma once
// The median of a sample (the report's folding of repetitions, concur wrk's paired ratios).
#include <algorithm>
#include <optional>
#include <vector>

namespace concur {

inline std::optional<double> median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace concur
