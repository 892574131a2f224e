// The directory search: the fixture generator, every model on the fixture's faults, links and bad
// roots, the walk against find, the unreadable directory as an unprivileged user, the deep chain, a
// tree changing during the walk, the lab app driven through a pipe (CRLF too) and in a terminal,
// and --print's listing, -0 framing, --sort order and write errors against find. (matrix_test's
// every_cell checks every model against the sequential walk on every test case.)
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/cleanup.hpp"
#include "workloads/dirsearch/dirsearch.hpp"
#include "workloads/dirsearch/print.hpp"

namespace concur::dirsearch {
namespace {

// The check every timed run passes (root_result::operator==): the same entries and errors in any
// order, and nothing else: a changed type, path or error, or one entry found twice in another's
// place, is a difference.
TEST(dirsearch_result, equal_only_with_the_same_entries_and_errors_in_any_order) {
  const root_result found{.root = "r",
                          .entries = {{"a", entry_type::file},
                                      {"a/b", entry_type::dir},
                                      {"a/b/c", entry_type::symlink},
                                      {"a/b/c", entry_type::file}},
                          .errors = {{"x", 13, "Permission denied"}},
                          .dirs_opened = 2,
                          .entries_read = 4};
  root_result shuffled = found;
  std::reverse(shuffled.entries.begin(), shuffled.entries.end());
  EXPECT_TRUE(shuffled == found);

  const auto differs = [&](auto change) {
    root_result other = found;
    change(other);
    return !(other == found) && !(found == other);
  };
  EXPECT_TRUE(differs([](root_result& r) { r.entries[0].type = entry_type::dir; }));
  EXPECT_TRUE(differs([](root_result& r) { r.entries[1].path = "a/B"; }));
  EXPECT_TRUE(differs([](root_result& r) { r.entries[3] = r.entries[2]; }));  // c twice, no file
  EXPECT_TRUE(differs([](root_result& r) { r.errors[0].code = 2; }));
  EXPECT_TRUE(differs([](root_result& r) { r.errors.clear(); }));
  EXPECT_TRUE(differs([](root_result& r) { ++r.entries_read; }));
}

const models::config config = models::config::defaults();

class temp_dir {
 public:
  temp_dir() {
    std::string pattern = "/tmp/concur-dirsearch-test-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    ::chmod(pattern.c_str(), 0755);  // an unprivileged child walks below it
    path_ = pattern;
  }
  ~temp_dir() { remove_tree(path_); }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct command_output {
  std::string out;
  int status = -1;
};

command_output run_command(const std::string& command) {
  command_output r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return r;
  char chunk[4096];
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) r.out.append(chunk, n);
  const int status = ::pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The records of a listing, each ended by `terminator` (find's framing), in byte order.
std::vector<std::string> sorted_records(const std::string& text, char terminator) {
  std::vector<std::string> out;
  for (std::size_t pos = 0, end; pos < text.size(); pos = end + 1) {
    end = text.find(terminator, pos);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
  }
  std::sort(out.begin(), out.end());
  return out;
}

result run(std::string_view model, const params& p) {
  return models::visit(model, [&]<class M>() { return workload::run(M{}, p, config); });
}

params fixture_params(std::vector<std::string> roots, bool follow = false, tree_spec spec = {}) {
  return {.roots = std::move(roots), .opts = {.follow_symlinks = follow}, .fixture = spec};
}

const entry* find_entry(const root_result& r, std::string_view path) {
  for (const auto& e : r.entries)
    if (e.path == path) return &e;
  return nullptr;
}

const error* find_error(const root_result& r, std::string_view path) {
  for (const auto& e : r.errors)
    if (e.path == path) return &e;
  return nullptr;
}

TEST(dirsearch_tree, same_seed_same_tree_other_seed_other_tree) {
  temp_dir dir;
  const tree_spec spec{.seed = 42, .dirs = 20, .files_per_dir = 2, .chain_depth = 5};
  const auto a = generate_tree(dir.path() + "/a", spec);
  const auto b = generate_tree(dir.path() + "/b", spec);
  auto other = spec;
  other.seed = 43;
  const auto c = generate_tree(dir.path() + "/c", other);
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_NE(a.hash, c.hash);
  EXPECT_EQ(a.entries(), expected_entries(spec));
  const auto ra = run("sequential", params{.roots = {dir.path() + "/a"}});
  const auto rb = run("sequential", params{.roots = {dir.path() + "/b"}});
  EXPECT_EQ(ra.roots[0].entries.size(), a.entries());
  auto ea = ra.roots[0], eb = rb.roots[0];
  canonicalize(ea);
  canonicalize(eb);
  EXPECT_EQ(ea.entries, eb.entries);
  EXPECT_TRUE(remove_tree(dir.path() + "/a"));
  EXPECT_FALSE(remove_tree(dir.path() + "/a"));
}

TEST(dirsearch_tree, the_chain_is_deeper_than_path_max) {
  const auto r = run("sequential", fixture_params({"chain"}));
  std::size_t longest = 0;
  for (const auto& e : r.roots[0].entries) longest = std::max(longest, e.path.size());
  EXPECT_GT(longest, static_cast<std::size_t>(PATH_MAX));
  EXPECT_TRUE(r.roots[0].errors.empty());
}

TEST(dirsearch_models, faults_are_listed_not_followed) {
  for (const auto& model : models::names()) {
    SCOPED_TRACE(model);
    const auto r = run(model, fixture_params({""})).roots[0];
    const auto type_of = [&](std::string_view path) {
      const entry* e = find_entry(r, path);
      return e ? std::string(to_string(e->type)) : std::string("missing");
    };
    EXPECT_EQ(type_of(".hidden"), "dir");
    EXPECT_EQ(type_of(".hidden/inside.txt"), "file");
    EXPECT_EQ(type_of(".dotfile"), "file");
    EXPECT_EQ(type_of("link-to-file"), "link");
    EXPECT_EQ(type_of("link-to-dir"), "link");
    EXPECT_EQ(type_of("link-to-dir/"), "missing");
    EXPECT_EQ(type_of("loop-a"), "link");
    EXPECT_EQ(type_of("cycle"), "link");
    EXPECT_EQ(type_of("dangling"), "link");
    EXPECT_EQ(type_of("fifo"), "other");
    EXPECT_EQ(type_of("empty"), "dir");
    EXPECT_EQ(type_of("line\nbreak"), "file");
    EXPECT_EQ(type_of("bad-\xff\xfe.bin"), "file");
    EXPECT_EQ(type_of("name with spaces.txt"), "file");
    EXPECT_EQ(type_of("locked"), "dir");
    if (::geteuid() == 0) {
      EXPECT_EQ(type_of("locked/secret.txt"), "file");  // root ignores the mode; see unreadable_*
      EXPECT_TRUE(r.errors.empty());
    } else {
      ASSERT_NE(find_error(r, "locked"), nullptr);
      EXPECT_EQ(find_error(r, "locked")->code, EACCES);
    }
    EXPECT_EQ(r.entries_read, r.entries.size());
  }
}

TEST(dirsearch_models, following_links_never_loops) {
  for (const auto& model : models::names()) {
    SCOPED_TRACE(model);
    const auto r = run(model, fixture_params({""}, true)).roots[0];
    ASSERT_NE(find_entry(r, "link-to-dir"), nullptr);
    EXPECT_EQ(find_entry(r, "link-to-dir")->type, entry_type::dir);
    const auto below = [&](std::string_view prefix) {
      return std::count_if(r.entries.begin(), r.entries.end(),
                           [&](const entry& e) { return e.path.starts_with(prefix); });
    };
    EXPECT_EQ(below("link-to-dir/"), below("tree/"));
    EXPECT_GT(below("tree/"), 0);
    ASSERT_NE(find_error(r, "cycle"), nullptr);
    EXPECT_EQ(find_error(r, "cycle")->code, ELOOP);
    ASSERT_NE(find_error(r, "loop-a"), nullptr);
    EXPECT_EQ(find_error(r, "loop-a")->code, ELOOP);
    EXPECT_EQ(find_error(r, "dangling"), nullptr);
    EXPECT_EQ(find_entry(r, "dangling")->type, entry_type::symlink);
    EXPECT_EQ(find_entry(r, "link-to-file")->type, entry_type::file);
  }
}

TEST(dirsearch_models, bad_roots_are_errors_and_the_others_are_searched) {
  for (const auto& model : models::names()) {
    SCOPED_TRACE(model);
    const auto r = run(model, fixture_params({"missing-root", "notes.txt", "tree", "empty"}));
    ASSERT_EQ(r.roots.size(), 4u);
    ASSERT_EQ(r.roots[0].errors.size(), 1u);
    EXPECT_EQ(r.roots[0].errors[0].code, ENOENT);
    EXPECT_EQ(r.roots[0].errors[0].path, "");
    EXPECT_EQ(r.roots[0].dirs_opened, 0u);
    ASSERT_EQ(r.roots[1].errors.size(), 1u);
    EXPECT_EQ(r.roots[1].errors[0].code, ENOTDIR);
    EXPECT_EQ(r.roots[2].entries.size(), 163u);
    EXPECT_TRUE(r.roots[2].errors.empty());
    EXPECT_TRUE(r.roots[3].entries.empty());
    EXPECT_EQ(r.roots[3].dirs_opened, 1u);
  }
}

TEST(dirsearch_models, deep_chain_does_not_overflow) {
  const tree_spec spec{
      .seed = 3, .dirs = 0, .files_per_dir = 0, .chain_depth = 4000, .chain_name_length = 1};
  const auto expected = run("sequential", fixture_params({"chain"}, false, spec));
  EXPECT_EQ(expected.roots[0].entries.size(), 4001u);
  EXPECT_TRUE(expected.roots[0].errors.empty());
  for (const auto& model : models::names())
    EXPECT_EQ(expected, run(model, fixture_params({"chain"}, false, spec))) << model;
}

// The lab's point: one after another, the big search finishes first; as coroutines yielding
// between slices on one thread, the small one overtakes it (the walk itself stays sequential).
TEST(dirsearch_models, coroutines_interleave_where_sequential_does_not) {
  const auto finish_order = [](std::string_view model) {
    auto p = fixture_params({"tree", "empty"});
    std::vector<std::string> order;
    std::mutex m;
    p.on_root_done = [&](const root_result& r) {
      std::scoped_lock lock(m);
      order.push_back(r.root.substr(r.root.rfind('/') + 1));
    };
    run(model, p);
    return order;
  };
  EXPECT_EQ(finish_order("sequential"), (std::vector<std::string>{"tree", "empty"}));
  EXPECT_EQ(finish_order("coroutines"), (std::vector<std::string>{"empty", "tree"}));
}

// find's view of the tree: (path, type letter) pairs, NUL-separated so any name survives.
std::set<std::pair<std::string, char>> find_entries(const std::string& root) {
  const auto r = run_command("find " + quoted(root) + " -mindepth 1 -printf '%P\\0%y\\0'");
  std::set<std::pair<std::string, char>> out;
  for (std::size_t pos = 0; pos < r.out.size();) {
    const std::size_t name_end = r.out.find('\0', pos);
    const std::size_t type_end = r.out.find('\0', name_end + 1);
    if (name_end == std::string::npos || type_end == std::string::npos) break;
    char type = r.out[name_end + 1];
    if (type != 'f' && type != 'd' && type != 'l') type = '?';
    out.emplace(r.out.substr(pos, name_end - pos), type);
    pos = type_end + 1;
  }
  return out;
}

TEST(dirsearch_find, sequential_walk_finds_what_find_finds) {
  std::vector<std::string> roots{resolve_roots(fixture_params({""}))[0]};
  if (::access("/usr/include", R_OK) == 0) roots.push_back("/usr/include");
  for (const auto& root : roots) {
    SCOPED_TRACE(root);
    const auto r = run("sequential", params{.roots = {root}}).roots[0];
    std::set<std::pair<std::string, char>> ours;
    for (const auto& e : r.entries) ours.emplace(e.path, type_letter(e.type));
    const auto theirs = find_entries(root);
    EXPECT_EQ(ours.size(), r.entries.size());
    EXPECT_TRUE(ours == theirs) << ours.size() << " entries here, " << theirs.size()
                                << " from find";
  }
}

TEST(dirsearch_app, print_mode_matches_find_in_every_model) {
  const std::string root = resolve_roots(fixture_params({"tree"}))[0];
  const auto expected =
      sorted_records(run_command("find " + quoted(root) + " -mindepth 1").out, '\n');
  ASSERT_FALSE(expected.empty());
  for (const auto& model : models::names()) {
    const auto r = run_command(std::string(CONCUR_CLI) + " dirsearch --print --model " + model +
                               " " + quoted(root));
    EXPECT_EQ(r.status, 0) << model;
    EXPECT_EQ(sorted_records(r.out, '\n'), expected) << model;
  }
}

TEST(dirsearch_app, dialogue_through_a_pipe) {
  const std::string root = resolve_roots(fixture_params({""}))[0];
  temp_dir dir;
  const std::string input = dir.path() + "/input";
  std::ofstream(input) << root << "/tree\n/no/such/dir\n\n"
                       << root << "/empty\ndone\n1\nwhat\n2\n1\n3\nlist\n4\n";
  for (const auto& model : models::names()) {
    SCOPED_TRACE(model);
    const auto r = run_command(std::string(CONCUR_CLI) + " dirsearch --model " + model + " < " +
                               quoted(input));
    EXPECT_EQ(r.status, 1) << "a root could not be searched";
    EXPECT_NE(r.out.find("finished " + root + "/tree: 163 entries, 0 errors"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("finished " + root + "/empty: 0 entries"), std::string::npos);
    EXPECT_NE(r.out.find("/no/such/dir: cannot search: open: No such file or directory"),
              std::string::npos);
    EXPECT_NE(r.out.find("  3) " + root + "/empty (0 entries, 0 errors)"), std::string::npos);
    EXPECT_NE(r.out.find("unknown choice: what"), std::string::npos);
    EXPECT_NE(r.out.find(root + "/tree: 163 entries"), std::string::npos);  // show 1
    EXPECT_NE(r.out.find("  /no/such/dir: open: No such file or directory"),
              std::string::npos);  // errors
  }
  // The end of input ends the dialogue cleanly, wherever it comes.
  std::ofstream(input) << root << "/empty\n";
  EXPECT_EQ(run_command(std::string(CONCUR_CLI) + " dirsearch < " + quoted(input)).status, 0);
  std::ofstream(input) << "";
  EXPECT_EQ(run_command(std::string(CONCUR_CLI) + " dirsearch < " + quoted(input)).status, 0);
}

// As a person sees it: the app in a terminal (tmux, on a server socket of its own), typed at.
TEST(dirsearch_app, dialogue_in_a_terminal) {
  if (run_command("command -v tmux").status != 0)
    GTEST_SKIP() << "tmux is not installed (scripts/optional-packages)";
  const std::string root = resolve_roots(fixture_params({""}))[0];
  temp_dir dir;
  const std::string tmux = "tmux -S " + quoted(dir.path() + "/socket") + " ";
  const std::string app = std::string(CONCUR_CLI) + " dirsearch --model coroutines";
  ASSERT_EQ(run_command(tmux + "new-session -d -x 200 -y 50 " +
                        quoted("sh -c '" + app + "; echo app exited with $?; sleep 60'"))
                .status,
            0);
  const auto screen = [&] { return run_command(tmux + "capture-pane -p -J -S -200").out; };
  // Waits (at most 20 s) until the screen shows `text`.
  const auto wait_for = [&](const std::string& text) {
    for (int i = 0; i < 200; ++i) {
      if (screen().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  const auto type = [&](const std::string& keys) {
    EXPECT_EQ(run_command(tmux + "send-keys -l " + quoted(keys)).status, 0);
    EXPECT_EQ(run_command(tmux + "send-keys Enter").status, 0);
  };
  EXPECT_TRUE(wait_for("directory to search (or done): ")) << screen();
  type(root + "/tree");
  type(root + "/empty");
  type("done");
  EXPECT_TRUE(wait_for("choice: ")) << screen();
  type("1");
  type("2");
  type("2");
  EXPECT_TRUE(wait_for(root + "/empty: 0 entries")) << screen();
  type("4");
  EXPECT_TRUE(wait_for("app exited with 0")) << screen();
  const std::string shown = screen();
  EXPECT_NE(shown.find("finished " + root + "/tree: 163 entries, 0 errors"), std::string::npos)
      << shown;
  EXPECT_NE(shown.find("  2) " + root + "/empty (0 entries, 0 errors)"), std::string::npos)
      << shown;
  run_command(tmux + "kill-server");
}

// Root reads every directory whatever its mode, so the unreadable directory is tested for real:
// the search runs in a child that dropped its privileges to nobody.
TEST(dirsearch_app, unreadable_directory_as_nobody) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root to drop to nobody (as non-root, faults_are_listed covers it)";
  temp_dir dir;
  const std::string root = dir.path() + "/tree";
  generate_tree(root, {.seed = 5, .dirs = 10, .files_per_dir = 2, .chain_depth = 3});
  // The binary must be reachable by nobody: a copy beside the tree.
  const std::string binary = dir.path() + "/concur";
  ASSERT_EQ(run_command("cp " + quoted(CONCUR_CLI) + " " + quoted(binary) + " && chmod 755 " +
                        quoted(binary))
                .status,
            0);
  std::vector<std::string> first_out;
  for (const auto& model : models::names()) {
    SCOPED_TRACE(model);
    int out_pipe[2], err_pipe[2];
    ASSERT_EQ(::pipe(out_pipe), 0);
    ASSERT_EQ(::pipe(err_pipe), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::dup2(out_pipe[1], 1);
      ::dup2(err_pipe[1], 2);
      ::close(out_pipe[0]);
      ::close(err_pipe[0]);
      if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(99);
      ::execl(binary.c_str(), binary.c_str(), "dirsearch", "--print", "--model", model.c_str(),
              root.c_str(), static_cast<char*>(nullptr));
      ::_exit(98);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    const auto drain = [](int fd) {
      std::string s;
      char chunk[4096];
      for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;)
        s.append(chunk, static_cast<std::size_t>(n));
      ::close(fd);
      return s;
    };
    const std::string out = drain(out_pipe[0]);
    const std::string err = drain(err_pipe[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 1) << "exit 99: could not drop privileges; 98: could not exec\n"
                                      << err;
    EXPECT_NE(err.find(root + "/locked: open: Permission denied"), std::string::npos) << err;
    EXPECT_NE(out.find(root + "/locked\n"), std::string::npos);
    EXPECT_EQ(out.find("secret.txt"), std::string::npos);
    EXPECT_NE(out.find(root + "/notes.txt\n"), std::string::npos);
    const auto lines = sorted_records(out, '\n');  // --print streams: in no set order
    if (first_out.empty()) first_out = lines;
    EXPECT_EQ(lines, first_out) << "differs from the " << models::names()[0] << " model";
  }
}

// Streaming (--print), an error goes to the handler as it is met and is not kept: a walk of
// /proc with links followed meets loops without end, and kept they would grow without bound.
TEST(dirsearch_print, errors_go_to_the_handler_as_met_and_are_not_kept) {
  temp_dir dir;
  const std::string root = dir.path() + "/t";
  ASSERT_EQ(::mkdir(root.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((root + "/a").c_str(), 0755), 0);
  ASSERT_EQ(::symlink("..", (root + "/a/up").c_str()), 0);
  ASSERT_EQ(::symlink("missing/x", (root + "/a/dangling").c_str()), 0);
  ASSERT_EQ(::symlink("loop", (root + "/loop").c_str()), 0);
  for (const auto& model : models::names()) {
    SCOPED_TRACE(model);
    std::mutex mutex;
    std::vector<std::string> reported;
    std::FILE* null = std::fopen("/dev/null", "w");
    ASSERT_NE(null, nullptr);
    record_writer writer(null, "/dev/null", '\n', [&](std::string_view r, const error& e) {
      const std::scoped_lock lock(mutex);
      reported.push_back(fmt::format("{} {} {}", r, e.path, e.code));
    });
    params p{.roots = {root}};
    p.opts = {.follow_symlinks = true, .sink = &writer};
    const auto found = run(model, p);
    writer.finish();
    std::fclose(null);
    EXPECT_TRUE(found.roots[0].errors.empty());
    std::sort(reported.begin(), reported.end());
    EXPECT_EQ(reported, (std::vector<std::string>{root + " a/up " + std::to_string(ELOOP),
                                                  root + " loop " + std::to_string(ELOOP)}));
  }
}

// Entries removed while the walk runs are reported as errors; nothing crashes or hangs.
TEST(dirsearch_models, tree_changing_during_the_walk) {
  for (const auto& model : models::names()) {
    SCOPED_TRACE(model);
    temp_dir dir;
    const std::string root = dir.path() + "/t";
    generate_tree(root, {.seed = 9, .dirs = 120, .files_per_dir = 3, .depth = 3, .faults = false});
    const auto before = run("sequential", params{.roots = {root}}).roots[0];
    std::vector<std::string> victims;
    for (const auto& e : before.entries)
      if (e.type == entry_type::dir && std::count(e.path.begin(), e.path.end(), '/') == 1)
        victims.push_back(root + "/" + e.path);
    std::atomic<bool> go{false};
    std::thread remover([&] {
      while (!go) std::this_thread::yield();
      for (const auto& v : victims) remove_tree(v);
    });
    go = true;
    result r;
    EXPECT_NO_THROW(r = run(model, params{.roots = {root}}));
    remover.join();
    ASSERT_EQ(r.roots.size(), 1u);
    EXPECT_LE(r.roots[0].entries.size(), before.entries.size());
    for (const auto& e : r.roots[0].errors)
      EXPECT_EQ(e.code, ENOENT) << printable(e.path) << ": " << e.message;
  }
}

// What differs between two sorted listings, readably: the counts and the first few either way.
std::string listing_diff(const std::vector<std::string>& want,
                         const std::vector<std::string>& got) {
  std::vector<std::string> missing, extra;
  std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), want.begin(), want.end(), std::back_inserter(extra));
  std::string out =
      std::to_string(want.size()) + " expected, " + std::to_string(got.size()) + " printed";
  for (std::size_t i = 0; i < std::min<std::size_t>(5, missing.size()); ++i)
    out += "\n  missing: " + printable(missing[i]);
  for (std::size_t i = 0; i < std::min<std::size_t>(5, extra.size()); ++i)
    out += "\n  extra: " + printable(extra[i]);
  return out;
}

std::string cli(const std::string& args) {
  return std::string(CONCUR_CLI) + " dirsearch " + args;
}

// A system tree nobody here wrote: every model prints what find prints, each entry once.
TEST(dirsearch_print, listing_is_finds_on_a_system_tree_in_every_model) {
  const std::string root = "/usr/include";
  if (::access(root.c_str(), R_OK) != 0) GTEST_SKIP() << root << " is not readable here";
  const auto want = sorted_records(run_command("find " + root + " -mindepth 1 -print0").out, '\0');
  ASSERT_GT(want.size(), 100u);
  for (const auto& model : models::names()) {
    SCOPED_TRACE(model);
    const auto r = run_command(cli("--print0 --model " + model + " " + root));
    EXPECT_EQ(r.status, 0);
    const auto got = sorted_records(r.out, '\0');
    EXPECT_TRUE(got == want) << listing_diff(want, got);
  }
}

// -0 ends every record with NUL, so a name holding a newline (the fixture's) stays one record.
TEST(dirsearch_print, print0_frames_names_with_newlines) {
  const std::string root = resolve_roots(fixture_params({""}))[0];
  const auto want =
      sorted_records(run_command("find " + quoted(root) + " -mindepth 1 -print0").out, '\0');
  const auto r = run_command(cli("-0 " + quoted(root)));
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.back(), '\0');
  const auto got = sorted_records(r.out, '\0');
  EXPECT_TRUE(got == want) << listing_diff(want, got);
  EXPECT_TRUE(std::any_of(got.begin(), got.end(),
                          [](const std::string& s) { return s.ends_with("line\nbreak"); }));
}

// --sort writes in byte order, as LC_ALL=C sort orders find's listing.
TEST(dirsearch_print, sort_is_the_c_locale_order) {
  const std::string fixture = resolve_roots(fixture_params({""}))[0];
  std::vector<std::pair<std::string, std::string>> runs{
      // (our flags, find | sort)
      {"--sort -0 " + quoted(fixture),
       "find " + quoted(fixture) + " -mindepth 1 -print0 | LC_ALL=C sort -z"}};
  if (::access("/usr/include", R_OK) == 0)
    runs.emplace_back("--sort /usr/include", "find /usr/include -mindepth 1 | LC_ALL=C sort");
  for (const auto& [flags, reference] : runs) {
    const std::string want = run_command(reference).out;
    ASSERT_FALSE(want.empty()) << reference;
    for (const auto& model : models::names()) {
      SCOPED_TRACE(model + " " + flags);
      const auto r = run_command(cli(flags + " --model " + model));
      if (r.out == want) continue;
      const auto at = std::mismatch(want.begin(), want.end(), r.out.begin(), r.out.end());
      ADD_FAILURE() << "differs from byte " << (at.first - want.begin()) << ": expected \""
                    << printable(std::string(at.first, std::min(at.first + 60, want.end())))
                    << "\", got \""
                    << printable(std::string(at.second, std::min(at.second + 60, r.out.end())))
                    << "\"";
    }
  }
}

// A full disk is an error with the reason, never a silent exit 0.
TEST(dirsearch_print, a_failed_write_is_an_error) {
  if (::access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no writable /dev/full";
  const std::string root = resolve_roots(fixture_params({"tree"}))[0];
  const auto r = run_command(cli("--print " + quoted(root)) + " 2>&1 >/dev/full");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.out.find("writing to standard output: No space left on device"), std::string::npos)
      << r.out;
}

// Input typed on Windows (CRLF) works as LF input; a root that cannot be searched exits 1.
TEST(dirsearch_app, crlf_input_and_a_root_that_cannot_be_searched) {
  const std::string root = resolve_roots(fixture_params({""}))[0];
  temp_dir dir;
  const std::string input = dir.path() + "/input";
  std::ofstream(input) << root << "/tree\r\n/no/such/dir\r\ndone\r\n2\r\n1\r\n4\r\n";
  auto r = run_command(cli("< " + quoted(input)));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("finished " + root + "/tree: 163 entries, 0 errors"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("/no/such/dir: cannot search: open: No such file or directory"),
            std::string::npos);
  EXPECT_NE(r.out.find(root + "/tree: 163 entries\n"), std::string::npos) << r.out;  // show 1
  EXPECT_EQ(r.out.find("unknown choice"), std::string::npos) << r.out;
  std::ofstream(input) << root << "/tree\r\ndone\r\n4\r\n";
  r = run_command(cli("< " + quoted(input)));
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.find("unknown choice"), std::string::npos) << r.out;
}

// A tree too big for the cache is made once per process in a directory it owns (removed at its
// exit, which core/cleanup's tests cover); here the limit is 0, so a small tree stands in.
TEST(dirsearch_fixture, a_tree_too_big_for_the_cache_is_made_once_in_an_owned_directory) {
  const tree_spec spec{
      .seed = 9, .dirs = 9, .files_per_dir = 1, .depth = 2, .chain_depth = 0, .faults = false};
  const std::string path = fixture_tree(spec, 0);
  EXPECT_NE(path.find("/concur-dirsearch-big-"), std::string::npos) << path;
  EXPECT_EQ(fixture_tree(spec, 0), path);
  EXPECT_EQ(fixture_tree(spec), cached_tree(spec));
  const auto walked = run("sequential", params{.roots = {path}});
  ASSERT_EQ(walked.roots.size(), 1u);
  EXPECT_EQ(walked.roots[0].entries.size(), expected_entries(spec));
  EXPECT_THROW(fixture_tree(tree_spec{}, 0), std::invalid_argument) << "faults cannot be removed";
}

// A tree another run was building when it was killed (its name says by which process) is removed
// by the next run that builds one; a live builder's is left alone.
TEST(dirsearch_fixture, a_killed_builders_tree_is_removed_by_the_next_build) {
  temp_dir tmp;
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  const char* old_xdg = std::getenv("XDG_CACHE_HOME");
  const std::string saved_xdg = old_xdg ? old_xdg : "";
  ::setenv("TMPDIR", tmp.path().c_str(), 1);
  ::unsetenv("XDG_CACHE_HOME");
  const std::string base = fmt::format("{}/concur-dirsearch-{}", tmp.path(), ::getuid());
  ASSERT_EQ(::mkdir(base.c_str(), 0755), 0);
  // No pid reaches 99999999 (pid_max is at most 2^22): its builder is surely gone.
  const std::string dead = base + "/v1-left.tmp-99999999-12345-0";
  const std::string live = base + "/v1-busy.tmp-" + cleanup::owner_tag() + "-0";
  for (const auto& dir : {dead, live}) {
    ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
    std::ofstream(dir + "/a-file") << "x";
  }
  const tree_spec spec{
      .seed = 3, .dirs = 3, .files_per_dir = 1, .depth = 1, .chain_depth = 0, .faults = false};
  const std::string made = cached_tree(spec);
  EXPECT_EQ(::access(dead.c_str(), F_OK), -1) << "a dead builder's tree stayed";
  EXPECT_EQ(::access(live.c_str(), F_OK), 0) << "a live builder's tree was removed";
  EXPECT_EQ(made.rfind(base, 0), 0u) << made;
  if (old)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  if (old_xdg) ::setenv("XDG_CACHE_HOME", saved_xdg.c_str(), 1);
}

}  // namespace
}  // namespace concur::dirsearch
