// offload.py beside the offload models: every call's value in order and the calls made; the
// loop's gaps come with the timing line's measured figures.
#include "workloads/offload/offload.hpp"
#include "baselines/python/baselines.hpp"
#include "baselines/python/script.hpp"

namespace concur::python {

std::vector<baseline> baselines(const offload::params& p) {
  if (!p.peers) return {};
  return script_baselines({
      .file = "offload.py",
      .args = [p] { return arguments("--calls", p.calls, "--delay-ms", p.delay.count()); },
      .parse = [](const std::vector<json>& lines) -> std::any {
        const json& a = only_line(lines);
        return offload::result{.values = u64s(field(a, "values")),
                               .calls = field(a, "calls").get<std::size_t>()};
      },
  });
}

}  // namespace concur::python
