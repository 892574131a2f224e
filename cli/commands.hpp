#pragma once
// The concur subcommands. Each adds itself to the app; its callback sets the exit code.
#include <CLI/CLI.hpp>

namespace concur::cli {

void add_report(CLI::App& app, int& exit_code);
void add_tree(CLI::App& app, int& exit_code);
void add_dirsearch(CLI::App& app, int& exit_code);
void add_serve(CLI::App& app, int& exit_code);
void add_fetch(CLI::App& app, int& exit_code);
void add_crawl(CLI::App& app, int& exit_code);
void add_site(CLI::App& app, int& exit_code);
void add_wrk(CLI::App& app, int& exit_code);
void add_compare(CLI::App& app, int& exit_code);

// The one list of subcommands.
inline constexpr void (*all_commands[])(CLI::App&, int&) = {add_report, add_tree,  add_dirsearch,
                                                            add_serve,  add_fetch, add_crawl,
                                                            add_site,   add_wrk,   add_compare};

}  // namespace concur::cli
