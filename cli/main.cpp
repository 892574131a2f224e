// concur: the command line around the suite (reports, and the workloads as tools).
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/top_level.hpp"
#include "core/cleanup.hpp"

int main(int argc, char** argv) {
  concur::cleanup::install_signal_handlers();
  return concur::cli::run_main("concur", [&] {
    CLI::App app{"concur: the same jobs in several concurrency models, verified and timed"};
    app.require_subcommand(1);
    int exit_code = 0;
    for (auto add : concur::cli::all_commands) add(app, exit_code);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return concur::cli::parse_error(app, e, "concur");
    }
    return exit_code;
  });
}
