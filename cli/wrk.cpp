// concur wrk: the baseline beside the HTTP workloads: wrk at the same connection count against the
// same site (the embedded server, or nginx serving its export), with wrk's own CPU per request.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "workloads/http/nginx.hpp"
#include "workloads/http/server.hpp"
#include "workloads/http/wrk.hpp"

namespace concur::cli {

void add_wrk(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("wrk",
                                 "baseline: wrk against the site of fetch/*/n10000_c64 (embedded "
                                 "server, or nginx with --nginx)");
  struct args {
    std::size_t connections = 64;
    unsigned threads = 1;
    unsigned seconds = 5;
    bool nginx = false;
  };
  auto a = std::make_shared<args>();
  cmd->add_option("-c,--connections", a->connections, "connections (the workloads' C)")
      ->capture_default_str();
  cmd->add_option("-t,--threads", a->threads, "wrk threads")->capture_default_str();
  cmd->add_option("-d,--seconds", a->seconds, "duration")->capture_default_str();
  cmd->add_flag("--nginx", a->nginx, "against nginx serving the exported site");
  cmd->callback([a, &exit_code] {
    try {
      const http::site_spec spec{.pages = 10'000, .fanout = 4, .seed = 1, .body_bytes = 512};
      http::site_server server(spec);
      std::unique_ptr<http::nginx_server> nginx;
      if (a->nginx) nginx = std::make_unique<http::nginx_server>(server.site());
      const std::string url = nginx ? nginx->url_of(1) : server.url_of(1);
      const double server_cpu = server.cpu_seconds();
      const auto run = http::run_wrk({.url = url,
                                      .connections = a->connections,
                                      .threads = a->threads,
                                      .seconds = a->seconds});
      const double server_used = server.cpu_seconds() - server_cpu;
      fmt::print("{}", run.output);
      fmt::print("wrk -t{} -c{} -d{}s against {}: {:.0f} requests/s, {:.2f} us wrk CPU per request",
                 a->threads, a->connections, a->seconds, nginx ? "nginx" : "the embedded server",
                 run.requests_per_second, run.cpu_per_request() * 1e6);
      if (!nginx)
        fmt::print(", {:.2f} us server CPU per request",
                   run.requests > 0 ? server_used * 1e6 / run.requests : 0.0);
      fmt::print("\n");
      if (const auto problem = run.problem(); !problem.empty()) {
        fmt::print(stderr, "concur wrk: {}\n", problem);
        exit_code = 1;
      }
    } catch (const std::exception& e) {
      fmt::print(stderr, "concur wrk: {}\n", e.what());
      exit_code = 1;
    }
  });
}

}  // namespace concur::cli
