// cpuyield.py beside the cpuyield models: the chain's last value and the work (steps, yield
// points); the heartbeat's gaps and the slowdown come with the timing line's measured figures,
// named as the models' counters.
#include "workloads/cpuyield/cpuyield.hpp"
#include "baselines/python/baselines.hpp"
#include "baselines/python/script.hpp"

namespace concur::python {

std::vector<baseline> baselines(const cpuyield::params& p) {
  if (!p.peers) return {};
  return script_baselines({
      .file = "cpuyield.py",
      .args =
          [p] {
            return arguments("--iterations", p.iterations, "--yield-every", p.yield_every,
                             "--period-us", p.period.count());
          },
      .parse = [](const std::vector<json>& lines) -> std::any {
        const json& a = only_line(lines);
        return cpuyield::result{.answer = field(a, "answer").get<std::uint64_t>(),
                                .iterations = field(a, "iterations").get<std::uint64_t>(),
                                .yields = field(a, "yields").get<std::uint64_t>()};
      },
      // Measured here (2 shared cores): a step of Python's takes 0.3-0.7 µs, where C++'s takes 1.5
      // ns.
      .seconds_per_item = [](std::string_view) { return 0.7e-6; },
  });
}

}  // namespace concur::python
