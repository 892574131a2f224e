// concur serve: the seeded site on a port of its own until SIGINT or SIGTERM.
#include <fmt/format.h>
#include <signal.h>

#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/site_options.hpp"
#include "workloads/http/server.hpp"

namespace concur::cli {

void add_serve(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "serve", "serve the seeded HTML site (latency and faults included) until SIGINT/SIGTERM");
  auto spec = std::make_shared<http::site_spec>();
  auto options = std::make_shared<http::server_options>();
  cmd->add_option("--bind", options->bind, "numeric address to listen on")->capture_default_str();
  cmd->add_option("--port", options->port, "port (0: any free port)")->capture_default_str();
  cmd->add_option("--threads", options->threads, "server threads")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  add_site_options(*cmd, *spec);
  cmd->callback([spec, options, &exit_code] {
    // Block the stop signals in every thread (the server's inherit the mask) and wait for them
    // here.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    try {
      http::site_server server(*spec, *options);
      fmt::print("listening on {} ({} pages, root {}, dead port {})\n",
                 http::url{options->bind, server.port(), "/"}.str(), spec->pages, server.root_url(),
                 server.site().dead_port());
      std::fflush(stdout);
      int signal = 0;
      sigwait(&stop_signals, &signal);
      server.stop();
      fmt::print("stopped on signal {} after {} requests\n", signal, server.requests_served());
    } catch (const std::exception& e) {
      fmt::print(stderr, "concur serve: {}\n", e.what());
      exit_code = 1;
    }
  });
}

}  // namespace concur::cli
