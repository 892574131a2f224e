// crawl.py beside the crawl models: the visited pages with their depths, the edges, the errors
// and the work.
#include "baselines/python/baselines.hpp"
#include "baselines/python/http_script.hpp"

namespace concur::python {
namespace {

http::visit visit_of(const json& row) {
  return {.url = row.at(0).get<std::string>(),
          .depth = row.at(1).get<std::size_t>(),
          .status = row.at(2).get<int>(),
          .body_bytes = row.at(3).get<std::size_t>(),
          .error = error_named(row.at(4).get<std::string>())};
}

}  // namespace

std::vector<baseline> baselines(const http::crawl_params& p) {
  if (!p.python_baselines) return {};
  return http_script_baselines({
      .file = "crawl.py",
      .args =
          [p] {
            auto args = client_arguments(p.client);
            args.insert(args.end(),
                        {"--depth", std::to_string(p.depth), "--", http::crawl_root(p)});
            return args;
          },
      .parse = [](const std::vector<json>& lines) -> std::any {
        const json& a = only_line(lines);
        http::crawl_result r{.errors = field(a, "errors").get<std::vector<std::string>>(),
                             .requests_sent = field(a, "requests_sent").get<std::size_t>(),
                             .bytes_received = field(a, "bytes_received").get<std::size_t>()};
        for (const auto& row : field(a, "visited")) r.visited.push_back(visit_of(row));
        for (const auto& e : field(a, "edges"))
          r.edges.emplace_back(e.at(0).get<std::string>(), e.at(1).get<std::string>());
        return r;
      },
      // A real site's pages are long (97 KB on average on Python's docs): html.parser reads them
      // at about 5 MB/s here, 9 s of CPU and 20 s of a loaded 2-core machine's wall time for its
      // 518 pages, so its cells wait for a larger --budget.
      .seconds_per_item = [real =
                               p.real.has_value()](std::string_view) { return real ? 20e-3 : 0.0; },
  });
}

}  // namespace concur::python
