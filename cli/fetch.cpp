// concur fetch URL...: GET every URL in one of the models, at most C in flight, redirects
// followed; a line per URL (with its redirects and where they ended).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "cli/client_options.hpp"
#include "cli/commands.hpp"
#include "core/stopwatch.hpp"
#include "net/resolve.hpp"

namespace concur::cli {

void add_fetch(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "fetch", "GET URLs (http://host[:port]/path) in one of the models; redirects followed");
  auto a = std::make_shared<client_args>();
  auto urls = std::make_shared<std::vector<std::string>>();
  auto max_redirects = std::make_shared<std::size_t>(http::default_max_redirects);
  add_client_options(*cmd, *a);
  cmd->add_option("--max-redirects", *max_redirects, "redirects followed per URL")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}))
      ->capture_default_str();
  cmd->add_option("URL", *urls, "URLs to GET")->required();
  cmd->callback([a, urls, max_redirects, &exit_code] {
    http::client_tally tally;
    const auto get = http::make_getter(a->model, a->client, a->config, tally);
    http::resolve_hosts(*urls);  // before the stopwatch: the timed region resolves nothing
    const stopwatch elapsed;
    const auto result = http::fetch(get, *urls, tally, *max_redirects);
    const double seconds = elapsed.seconds();
    for (const auto& page : result.pages) fmt::print("{}\n", http::describe(page));
    fmt::print(
        "{} URLs in {:.3f} s ({}): {} requests sent, {} connections opened, {} body bytes "
        "received\n",
        urls->size(), seconds, a->model, result.requests_sent, result.measured.connections_opened,
        result.bytes_received);
    // Exit status 1 when any URL failed (no response, or HTTP 4xx/5xx), as crawl counts errors.
    const bool any_failed = std::any_of(result.pages.begin(), result.pages.end(), [](auto& p) {
      return p.error != http::error_kind::none || p.status >= 400;
    });
    exit_code = any_failed ? 1 : 0;
  });
}

}  // namespace concur::cli
