// concur: the command line around the suite (reports, and the workloads as tools).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <string>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/top_level.hpp"
#include "core/cleanup.hpp"

namespace {

// The first word, when it names no command: CLI11 alone would say "A subcommand is required",
// which does not say that the word given was the mistake.
void check_command_name(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  std::string names;
  for (const auto* sub : app.get_subcommands({})) {
    if (sub->get_name() == argv[1]) return;
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  throw concur::cli::usage_error(
      fmt::format("unknown command {} (the commands: {})", argv[1], names));
}

}  // namespace

int main(int argc, char** argv) {
  concur::cleanup::install_signal_handlers();
  return concur::cli::run_main("concur", [&] {
    CLI::App app{"concur: the same jobs in several concurrency models, verified and timed"};
    app.require_subcommand(1);
    int exit_code = 0;
    for (auto add : concur::cli::all_commands) add(app, exit_code);
    check_command_name(app, argc, argv);
    concur::cli::refuse_empty_values(app, argc, argv);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return concur::cli::parse_error(app, e, "concur");
    }
    return exit_code;
  });
}
