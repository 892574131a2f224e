// concur: the command line around the suite (reports, and the workloads as tools).
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"concur: the same jobs in several concurrency models, verified and timed"};
  app.require_subcommand(1);
  int exit_code = 0;
  for (auto add : concur::cli::all_commands) add(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are parse "errors" that exit 0; every other is a usage error: 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
