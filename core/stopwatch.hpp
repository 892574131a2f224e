#pragma once
// Wall time since a start, on the steady clock: what the command line prints and the bench
// subtracts, written once.
#include <chrono>

namespace concur {

class stopwatch {
 public:
  using clock = std::chrono::steady_clock;

  double seconds() const { return std::chrono::duration<double>(clock::now() - start_).count(); }
  double milliseconds() const { return seconds() * 1e3; }

 private:
  clock::time_point start_ = clock::now();
};

}  // namespace concur
