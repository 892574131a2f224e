// prodcons.py beside the prodcons models: the consumed items, the items produced, the queue's
// bound and the consumers' clean end; high_water is measured.
#include <fmt/format.h>

#include "baselines/python/baselines.hpp"
#include "baselines/python/script.hpp"
#include "workloads/prodcons/prodcons.hpp"

namespace concur::python {

std::vector<baseline> baselines(const prodcons::params& p) {
  if (!p.peers) return {};
  auto out = script_baselines({
      .file = "prodcons.py",
      .args =
          [p] {
            return arguments("--producers", p.producers, "--consumers", p.consumers, "--capacity",
                             p.capacity, "--items", p.items_per_producer);
          },
      .parse = [p](const std::vector<json>& lines) -> std::any {
        const json& a = only_line(lines);
        // make_result sorts and sums; the bound is the script's own verdict, high_water comes
        // with the timing line's measured figures.
        auto r = prodcons::make_result(u64s(field(a, "consumed")),
                                       field(a, "produced").get<std::size_t>(), 0, p,
                                       field(a, "clean_shutdown").get<bool>());
        r.within_capacity = field(a, "within_capacity").get<bool>();
        return r;
      },
  });
  for (auto& b : out)
    if (b.name == "py-processes")
      b.settings = fmt::format(
          "Debian's {}, a multiprocessing.Process (fork) per producer and per consumer around a "
          "multiprocessing.Queue(maxsize=K); CPU and peak RSS count them",
          interpreter_path);
  return out;
}

}  // namespace concur::python
