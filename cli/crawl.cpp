// concur crawl URL: breadth-first from URL to a depth in one of the models; a line per page.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <limits>
#include <memory>

#include "cli/client_options.hpp"
#include "cli/commands.hpp"
#include "core/stopwatch.hpp"
#include "net/resolve.hpp"

namespace concur::cli {

void add_crawl(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("crawl", "crawl from a URL (http://host[:port]/path) to a depth");
  auto a = std::make_shared<client_args>();
  auto root = std::make_shared<std::string>();
  auto depth = std::make_shared<std::size_t>(3);
  auto rules = std::make_shared<http::crawl_rules>();
  add_client_options(*cmd, *a);
  cmd->add_option("--depth", *depth, "links followed from the root")
      ->check(whole_in<std::size_t>(0, 1000, "deeper is unbounded in practice"))
      ->capture_default_str();
  cmd->add_flag("--span-hosts", rules->span_hosts, "follow links to other hosts too (as wget -H)");
  cmd->add_option("--max-redirects", rules->max_redirects, "redirects followed per request")
      ->check(whole_in<std::size_t>(0, 1000, "wget's default is 20"))
      ->capture_default_str();
  cmd->add_option("--max-pages", rules->max_pages,
                  "visit at most N pages, the root included (links past it are not followed)")
      ->type_name("N")
      ->check(whole_in<std::size_t>(1, std::numeric_limits<std::size_t>::max()));
  cmd->add_option("URL", *root, "where to start")->required();
  cmd->callback([a, root, depth, rules, &exit_code] {
    http::client_tally tally;
    const auto get = http::make_getter(a->model, http::crawl_options(a->client), a->config, tally);
    http::resolve_hosts({*root});  // before the stopwatch: the timed region resolves nothing
    // A line per page as each level is answered: a long crawl shows its progress, and what was
    // printed stays when it is interrupted.
    rules->on_visit = [](const http::visit& v) {
      fmt::print("{}\n", http::describe(v));
      std::fflush(stdout);
    };
    const stopwatch elapsed;
    const auto result = http::crawl(get, *root, *depth, tally, *rules);
    const double seconds = elapsed.seconds();
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
