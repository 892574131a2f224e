// concur dirsearch: the course lab as a tool. Asks for directories until `done` (or takes them
// from the command line), searches them all with the chosen model, printing a line as each search
// finishes, then offers a menu to browse the results. --print streams every entry found instead.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "core/stopwatch.hpp"
#include "workloads/dirsearch/dirsearch.hpp"
#include "workloads/dirsearch/print.hpp"

namespace concur::cli {
namespace {

using dirsearch::printable;

std::string joined(std::string_view root, const std::string& rel) {
  if (rel.empty()) return std::string(root);
  if (!root.empty() && root.back() == '/') return std::string(root) + rel;
  return std::string(root) + "/" + rel;
}

dirsearch::result run(std::string_view model, const dirsearch::params& p,
                      const models::config& config) {
  return models::visit(model, [&]<class M>() { return dirsearch::workload::run(M{}, p, config); });
}

// --print: each error on stderr as it is met, as find reports them; 1 when there were any.
int print_all(std::string_view model, dirsearch::params p, const dirsearch::print_format& format,
              const models::config& config) {
  std::mutex stderr_mutex;
  bool failed = false;
  const auto report = [&](std::string_view root, const dirsearch::error& e) {
    const std::scoped_lock lock(stderr_mutex);
    fmt::print(stderr, "concur dirsearch: {}: {}\n", printable(joined(root, e.path)), e.message);
    failed = true;
  };
  // What the walk did not meet itself (a root that is no directory) is in the root's result.
  p.on_root_done = [&](const dirsearch::root_result& r) {
    for (const auto& e : r.errors) report(r.root, e);
  };
  dirsearch::print_entries(
      std::move(p), format, [&](const dirsearch::params& q) { return run(model, q, config); },
      report);
  return failed ? 1 : 0;
}

// A line of input without its line ending (LF or CRLF).
bool read_line(const char* prompt, std::string& line) {
  fmt::print("{}", prompt);
  std::fflush(stdout);
  if (!std::getline(std::cin, line)) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

const dirsearch::root_result* pick(const dirsearch::result& r, const std::string& answer) {
  for (std::size_t i = 0; i < r.roots.size(); ++i)
    if (answer == r.roots[i].root || answer == std::to_string(i + 1)) return &r.roots[i];
  return nullptr;
}

void show(const dirsearch::root_result& root) {
  dirsearch::root_result sorted = root;
  dirsearch::canonicalize(sorted);
  fmt::print("{}: {} entries\n", printable(root.root), sorted.entries.size());
  for (const auto& e : sorted.entries) {
    const char* mark = e.type == dirsearch::entry_type::dir       ? "/"
                       : e.type == dirsearch::entry_type::symlink ? "@"
                       : e.type == dirsearch::entry_type::other   ? "|"
                                                                  : "";
    fmt::print("  {}{}\n", printable(e.path), mark);
  }
}

void show_errors(const dirsearch::result& r) {
  std::size_t shown = 0;
  for (auto root : r.roots) {
    dirsearch::canonicalize(root);
    for (const auto& e : root.errors) {
      fmt::print("  {}: {}\n", printable(joined(root.root, e.path)), e.message);
      ++shown;
    }
  }
  if (shown == 0) fmt::print("  no errors\n");
}

// The lab's menu, until quit or the end of input.
void menu(const dirsearch::result& r) {
  static constexpr const char* choices =
      "\n1) list the searched directories\n2) show one directory's contents\n3) show the "
      "errors\n4) quit\n";
  std::string line;
  for (;;) {
    fmt::print("{}", choices);
    if (!read_line("choice: ", line)) break;
    if (line == "1" || line == "list") {
      for (std::size_t i = 0; i < r.roots.size(); ++i)
        fmt::print("  {}) {} ({} entries, {} errors)\n", i + 1, printable(r.roots[i].root),
                   r.roots[i].entries.size(), r.roots[i].errors.size());
    } else if (line == "2" || line == "show") {
      if (!read_line("directory (name or number): ", line)) break;
      if (const auto* root = pick(r, line))
        show(*root);
      else
        fmt::print("not a searched directory: {}\n", printable(line));
    } else if (line == "3" || line == "errors") {
      show_errors(r);
    } else if (line == "4" || line == "quit" || line == "q") {
      return;
    } else {
      fmt::print("unknown choice: {} (1-4)\n", printable(line));
    }
  }
  fmt::print("\n");
}

// A root that could not be opened at all (missing, not a directory, unreadable).
bool unsearchable(const dirsearch::root_result& r) {
  return r.dirs_opened == 0 && !r.errors.empty();
}

// The lab: asks for directories when none were named, searches them, then the menu. 1 when a
// root could not be searched at all.
int lab(std::string_view model, dirsearch::params p, const models::config& config) {
  std::string line;
  if (p.roots.empty()) {
    while (read_line("directory to search (or done): ", line) && line != "done")
      if (!line.empty()) p.roots.push_back(line);
    if (p.roots.empty()) {
      fmt::print("\nnothing to search\n");
      return 0;
    }
  }
  fmt::print("searching {} directories with the {} model\n", p.roots.size(), model);
  std::mutex print_mutex;
  const stopwatch elapsed;
  p.on_root_done = [&](const dirsearch::root_result& r) {
    const double ms = elapsed.milliseconds();
    const std::scoped_lock lock(print_mutex);
    if (unsearchable(r))
      fmt::print("  {}: cannot search: {} ({:.1f} ms)\n", printable(r.root),
                 r.errors.front().message, ms);
    else
      fmt::print("  finished {}: {} entries, {} errors ({:.1f} ms)\n", printable(r.root),
                 r.entries.size(), r.errors.size(), ms);
    std::fflush(stdout);
  };
  const auto found = run(model, p, config);
  menu(found);
  return std::any_of(found.roots.begin(), found.roots.end(), unsearchable) ? 1 : 0;
}

}  // namespace

void add_dirsearch(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "dirsearch", "search directories (the course lab); --print streams every entry");
  struct args {
    std::vector<std::string> dirs;
    std::string model = "threads";
    bool print = false, print0 = false, sort = false, follow = false;
    unsigned threads = 0;
    unsigned processes = models::config::defaults().worker_processes;
  };
  auto a = std::make_shared<args>();
  cmd->add_option("DIR", a->dirs, "directories to search (none: ask for them until `done`)");
  add_model(*cmd, a->model);
  cmd->add_flag("--print", a->print,
                "write every entry as DIR/PATH, one a line, as it is found (in no set order); "
                "the errors on stderr");
  cmd->add_flag("--print0,-0", a->print0, "--print with each entry ended by NUL, not a newline");
  cmd->add_flag("--sort", a->sort,
                "--print in byte order (as LC_ALL=C sort), written once the search is done");
  cmd->add_flag("--follow,-L", a->follow,
                "follow symbolic links (loops are reported, not entered)");
  add_all_threads(*cmd, a->threads);
  add_worker_processes(*cmd, a->processes);
  cmd->callback([a, &exit_code] {
    dirsearch::params p;
    p.opts.follow_symlinks = a->follow;
    p.roots = a->dirs;
    auto config = with_all_threads(models::config::defaults(), a->threads);
    config.worker_processes = a->processes;
    if (!a->print && !a->print0 && !a->sort) {
      exit_code = lab(a->model, std::move(p), config);
      return;
    }
    if (p.roots.empty()) {
      fmt::print(stderr, "concur dirsearch --print: name at least one directory\n");
      exit_code = 2;
      return;
    }
    exit_code = print_all(a->model, std::move(p),
                          {.terminator = a->print0 ? '\0' : '\n', .sort = a->sort}, config);
  });
}

}  // namespace concur::cli
