#include "bench/slowdown.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/vocabulary.hpp"

namespace concur::bench {

std::string slowdown::text() const {
  return active() ? fmt::format("{}:{:g}", model, factor)
                  : std::string(vocabulary::context::test_slowdown_off);
}

std::optional<slowdown> parse_slowdown(const std::string& value) {
  if (value.empty()) return slowdown{};
  const auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  char* end = nullptr;
  const double factor = std::strtod(value.c_str() + colon + 1, &end);
  if (end == value.c_str() + colon + 1 || *end != '\0' || !(factor >= 1) || factor > 100)
    return std::nullopt;
  return slowdown{value.substr(0, colon), factor};
}

void announce(const slowdown& hook, std::string_view given_as, const std::vector<cell>& cells) {
  if (!hook.active()) return;
  std::fprintf(stderr,
               "concur-bench: TEST HOOK %.*s=%s is set: every %s cell is made %gx slower on "
               "purpose (a busy-wait in its timed region); recorded in the JSON context as %s\n",
               static_cast<int>(given_as.size()), given_as.data(), hook.text().c_str(),
               hook.model.c_str(), hook.factor,
               std::string(vocabulary::context::test_slowdown).c_str());
  const bool any =
      std::any_of(cells.begin(), cells.end(), [&](const cell& c) { return c.model == hook.model; });
  if (!any)
    std::fprintf(stderr, "concur-bench: no selected cell is of model %s\n", hook.model.c_str());
}

void spin_for(double seconds) {
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(seconds));
  while (std::chrono::steady_clock::now() < until) {
  }
}

}  // namespace concur::bench
