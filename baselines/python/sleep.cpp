// sleep.py beside the sleep models: its answer is the values in gather order and the task counts.
#include "workloads/sleep/sleep.hpp"
#include "baselines/python/baselines.hpp"
#include "baselines/python/script.hpp"

namespace concur::python {

std::vector<baseline> baselines(const sleep::params& p) {
  if (!p.peers) return {};
  return script_baselines({
      .file = "sleep.py",
      .args = [p] { return arguments("--tasks", p.tasks, "--delay-ms", p.delay.count()); },
      .parse = [](const std::vector<json>& lines) -> std::any {
        const json& a = only_line(lines);
        return sleep::result{.values = u64s(field(a, "values")),
                             .started = field(a, "started").get<std::size_t>(),
                             .finished = field(a, "finished").get<std::size_t>()};
      },
      // Measured here (2 shared cores): 100,000 Python threads took 25 s to start and finish,
      // 100,000 asyncio tasks 5 s.
      .seconds_per_item =
          [](std::string_view cell) { return cell == "py-threads" ? 250e-6 : 50e-6; },
  });
}

}  // namespace concur::python
