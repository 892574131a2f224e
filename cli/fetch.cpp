// concur fetch URL...: GET every URL in one of the models, at most C in flight; a line per URL.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <memory>

#include "cli/client_options.hpp"
#include "cli/commands.hpp"
#include "core/stopwatch.hpp"

namespace concur::cli {

void add_fetch(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "fetch", "GET URLs (http://numeric-address[:port]/path) in one of the models");
  auto a = std::make_shared<client_args>();
  auto urls = std::make_shared<std::vector<std::string>>();
  add_client_options(*cmd, *a);
  cmd->add_option("URL", *urls, "URLs to GET")->required();
  cmd->callback([a, urls, &exit_code] {
    http::client_tally tally;
    const auto get = http::make_getter(a->model, a->client, a->config, tally);
    const stopwatch elapsed;
    const auto result = http::fetch(get, *urls, tally);
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
