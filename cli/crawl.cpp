// concur crawl URL: breadth-first from URL to a depth in one of the models; a line per page.
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "cli/client_options.hpp"
#include "cli/commands.hpp"
#include "core/stopwatch.hpp"

namespace concur::cli {

void add_crawl(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "crawl", "crawl from a URL (http://numeric-address[:port]/path) to a depth");
  auto a = std::make_shared<client_args>();
  auto root = std::make_shared<std::string>();
  auto depth = std::make_shared<std::size_t>(3);
  add_client_options(*cmd, *a);
  cmd->add_option("--depth", *depth, "links followed from the root")
      ->check(whole_in<std::size_t>(0, 1000, "deeper is unbounded in practice"))
      ->capture_default_str();
  cmd->add_option("URL", *root, "where to start")->required();
  cmd->callback([a, root, depth, &exit_code] {
    http::client_tally tally;
    const auto get = http::make_getter(a->model, a->client, a->config, tally);
    const stopwatch elapsed;
    const auto result = http::crawl(get, *root, *depth, tally);
    const double seconds = elapsed.seconds();
    std::vector<http::visit> by_depth = result.visited;
    std::stable_sort(by_depth.begin(), by_depth.end(),
                     [](auto& x, auto& y) { return x.depth < y.depth; });
    for (const auto& v : by_depth) fmt::print("{}\n", http::describe(v));
    for (const auto& e : result.errors) fmt::print("error: {}\n", e);
    fmt::print(
        "{} pages, {} edges, {} errors in {:.3f} s ({}): {} requests sent, {} connections opened, "
        "{} body bytes received\n",
        result.visited.size(), result.edges.size(), result.errors.size(), seconds, a->model,
        result.requests_sent, result.measured.connections_opened, result.bytes_received);
    exit_code = result.errors.empty() ? 0 : 1;  // 1 when any page failed
  });
}

}  // namespace concur::cli
