#pragma once
// --test-slowdown=MODEL:FACTOR (or CONCUR_TEST_SLOWDOWN), a TEST HOOK: every cell of MODEL is made
// FACTOR times slower inside its timed region, so that a comparison of two runs can be checked to
// resolve a known slowdown on that model and on no other. Never set it for real measurements; the
// JSON context says when it was set (test_slowdown), and concur-bench says so on stderr.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/matrix.hpp"

namespace concur::bench {

struct slowdown {
  std::string model;
  double factor = 1;

  bool active() const { return factor != 1; }
  double factor_for(const std::string& m) const { return m == model ? factor : 1.0; }
  // "MODEL:FACTOR", or vocabulary::context::test_slowdown_off when inactive.
  std::string text() const;
};

// The hook from "MODEL:FACTOR" (inactive when empty); nullopt when malformed.
std::optional<slowdown> parse_slowdown(const std::string& value);

// Says on stderr that the hook is on (given as `given_as`: the flag or the variable), and when no
// selected cell is of its model.
void announce(const slowdown& hook, std::string_view given_as, const std::vector<cell>& cells);

// Burns CPU on the calling thread: the hook's extra time looks like slower code (a sleep would look
// like waiting, and free the core for the model's other threads).
void spin_for(double seconds);

}  // namespace concur::bench
