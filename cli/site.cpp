// concur site export DIR: the seeded site as static files, for any web server to serve.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/site_options.hpp"

namespace concur::cli {

void add_site(CLI::App& app, int& exit_code) {
  auto* site_cmd = app.add_subcommand("site", "the seeded site");
  site_cmd->require_subcommand(1);
  auto* cmd = site_cmd->add_subcommand(
      "export",
      "write the site as static files DIR/page/<i> (serve them as text/html); the pages that "
      "answer "
      "500, slowly or truncated are left out (a static server answers 404 for them)");
  auto spec = std::make_shared<http::site_spec>();
  auto dir = std::make_shared<std::string>();
  auto host = std::make_shared<std::string>("127.0.0.1");
  auto dead_port = std::make_shared<std::uint16_t>(1);
  add_site_options(*cmd, *spec);
  cmd->add_option("--host", *host, "numeric address of links to unreachable pages")
      ->check(non_empty("the address"))
      ->capture_default_str();
  cmd->add_option("--dead-port", *dead_port,
                  "port of links to unreachable pages (nothing may listen there)")
      ->check(whole_in<unsigned>(1, 65535))
      ->capture_default_str();
  cmd->add_option("DIR", *dir, "where to write")
      ->required()
      ->check(non_empty("the directory name"));
  cmd->callback([spec, dir, host, dead_port, &exit_code] {
    check_site_size(*spec);
    const http::site s(*spec, *host, *dead_port);
    const auto written = http::export_site(s, *dir);
    fmt::print("wrote {} of {} pages to {}/page/\n", written, spec->pages, *dir);
    exit_code = 0;
  });
}

}  // namespace concur::cli
