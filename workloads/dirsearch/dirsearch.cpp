#include "workloads/dirsearch/dirsearch.hpp"

#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/diff.hpp"
#include "core/page_cache.hpp"
#include "core/process.hpp"

namespace concur::dirsearch {

void canonicalize(root_result& r) {
  std::sort(r.entries.begin(), r.entries.end());
  std::sort(r.errors.begin(), r.errors.end());
}

namespace {

// Equal as multisets, exactly: each side's items in an order that is cheap to reach (a hash of
// the path, then the item itself on a tie), compared one by one. The canonical (path) order is a
// string sort: every timed run is checked, and sorting a 200k-entry result that way cost 0.5 s a
// round per cell, more than the run it checked.
template <class T>
std::vector<std::pair<std::uint64_t, const T*>> in_hash_order(const std::vector<T>& items) {
  std::vector<std::pair<std::uint64_t, const T*>> out;
  out.reserve(items.size());
  for (const auto& x : items) out.emplace_back(XXH3_64bits(x.path.data(), x.path.size()), &x);
  std::sort(out.begin(), out.end(), [](const auto& l, const auto& r) {
    return l.first != r.first ? l.first < r.first : *l.second < *r.second;
  });
  return out;
}

template <class T>
bool same_items(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  const auto x = in_hash_order(a), y = in_hash_order(b);
  return std::equal(x.begin(), x.end(), y.begin(),
                    [](const auto& l, const auto& r) { return *l.second == *r.second; });
}

}  // namespace

bool root_result::operator==(const root_result& o) const {
  return root == o.root && dirs_opened == o.dirs_opened && entries_read == o.entries_read &&
         same_items(entries, o.entries) && same_items(errors, o.errors);
}

namespace {

// A directory stays open while sub-directories of it wait to be opened; the concurrent models keep
// more of them waiting than the sequential walk, so the soft limit (often 1024) is raised to the
// hard limit once rather than letting a wide tree fail with EMFILE in one model only.
void raise_open_file_limit() {
  static const bool raised = [] {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return false;
    limit.rlim_cur = limit.rlim_max;
    return ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
  }();
  (void)raised;
}

}  // namespace

std::vector<std::string> resolve_roots(const params& p) {
  raise_open_file_limit();
  if (!p.fixture) return p.roots;
  const std::string base = fixture_tree(*p.fixture);
  std::vector<std::string> roots;
  roots.reserve(p.roots.size());
  for (const auto& r : p.roots)
    roots.push_back(r.empty() ? base : (r.front() == '/' ? r : base + "/" + r));
  return roots;
}

root_result finish_root(const params& p, std::string root, tally&& t) {
  root_result r{std::move(root), std::move(t.entries), std::move(t.errors), t.dirs_opened,
                t.entries_read};
  if (p.on_root_done) p.on_root_done(r);
  return r;
}

namespace {

case_def<params> fixture_case(std::string name, case_kind kind, tree_spec spec,
                              std::vector<std::string> roots, bool follow = false) {
  return {std::move(name), kind,
          params{.roots = std::move(roots), .opts = {.follow_symlinks = follow}, .fixture = spec}};
}

}  // namespace

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '\\')
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  return out;
}

namespace {
std::string extra_root;  // set_extra_root's; empty: none

// Why a root of the user's cannot be the case's: a missing path or a file would be searched as
// one error or one entry, and every model would agree on it, timing nothing.
std::string not_a_directory(const std::string& root) {
  std::error_code error;
  const auto status = std::filesystem::status(root, error);
  const std::string named = fmt::format("--dirsearch-root (CONCUR_DIRSEARCH_ROOT) \"{}\"", root);
  if (error) return fmt::format("{}: {}", named, error.message());
  if (!std::filesystem::is_directory(status)) return named + " is not a directory";
  return "";
}
}  // namespace

void set_extra_root(std::string root) {
  extra_root = std::move(root);
}

std::vector<case_def<params>> workload::cases() {
  const tree_spec small{};  // seed 1: 40 dirs of 3 files, and every fault
  std::vector<case_def<params>> out{
      fixture_case("fixture", case_kind::test, small, {""}),
      fixture_case("fixture_follow", case_kind::test, small, {""}, true),
      fixture_case("several_roots", case_kind::test, small,
                   {"tree", "missing-root", "chain", "notes.txt", ".hidden", "empty", "locked",
                    "link-to-dir"}),
      fixture_case(
          "deep_chain", case_kind::test,
          {.seed = 2, .dirs = 0, .files_per_dir = 0, .chain_depth = 2500, .chain_name_length = 2},
          {"chain"}),
  };
  if (std::filesystem::is_directory("/usr/include"))
    out.push_back({"usr_include", case_kind::test, params{.roots = {"/usr/include"}}});
  // About 200,000 entries: one tree, and four trees of a quarter each searched at once.
  // No deep chain there: fd (a baseline) cannot go past PATH_MAX; the tests cover the chain.
  const tree_spec big{.seed = 7, .dirs = 10'000, .files_per_dir = 19, .depth = 6, .chain_depth = 0};
  // tree_200k is a rung of the size ladder of entries below the root (below).
  const std::string axis = "entries";
  out.push_back(fixture_case("tree_200k", case_kind::bench, big, {""}));
  out.back().ladder = ladder_point{axis, static_cast<double>(expected_entries(big))};
  const tree_spec quarters{
      .seed = 8, .dirs = 2'500, .files_per_dir = 19, .depth = 5, .chain_depth = 0, .parts = 4};
  // --sweep's: the default run keeps the one tree (the whole-process comparison's too).
  out.push_back(
      fixture_case("4roots_200k", case_kind::sweep, quarters, {"tree", "tree2", "tree3", "tree4"}));
  // The size ladder through tree_200k: trees of its shape without the special entries and with
  // empty files (the largest is too big for the cache: tree.hpp), of 10,000, 100,000 and
  // 1,000,000 entries; and the shape test-sized.
  const auto shaped = [&](std::size_t entries) {
    tree_spec spec = big;
    spec.faults = false;
    spec.empty_files = true;
    spec.dirs = entries / (1 + spec.files_per_dir) - 1;
    return spec;
  };
  out.push_back(fixture_case("tree_1k", case_kind::test, shaped(1'000), {""}));
  for (const auto& [name, entries] : {std::pair{"tree_10k", std::size_t{10'000}},
                                      {"tree_100k", 100'000},
                                      {"tree_1m", 1'000'000}}) {
    out.push_back(fixture_case(name, case_kind::sweep, shaped(entries), {""}));
    out.back().ladder = ladder_point{axis, static_cast<double>(entries)};
  }
  if (!extra_root.empty()) {
    out.push_back({"env_root", case_kind::bench, params{.roots = {extra_root}}});
    out.back().unavailable = not_a_directory(extra_root);
  }
  for (auto& c : out) c.params.peers = c.kind != case_kind::test;

  // Cold cache: the page cache is dropped before every run, so directories come from the disk.
  // Waiting on the disk, more threads than cores pay: the same tree with the models' threads at
  // the core count, then at 16 (threads' fan-out, the executor's pool, the tbb arena) under
  // --sweep (a cold run is ~2 s of the default run's rounds, each cell's cache drop included).
  const std::string cold = page_cache::drop_unavailable();
  const auto cold_case = [&](std::string name, case_kind kind, const tree_spec& spec) {
    auto c = fixture_case(std::move(name), kind, spec, {""});
    if (!cold.empty()) c.unavailable = "cold cache: " + cold;
    c.prepare = page_cache::drop;
    return c;
  };
  out.push_back(cold_case("cold_fixture", case_kind::test, small));
  out.push_back(cold_case("cold_200k", case_kind::bench, big));
  out.back().params.peers = true;
  auto io16 = cold_case("cold_200k_io16", case_kind::sweep, big);
  io16.config = models::config::defaults();
  io16.config->pool_threads = io16.config->worker_threads = 16;
  out.push_back(std::move(io16));
  return out;
}

double workload::items(const params& p) {
  return p.fixture ? static_cast<double>(expected_entries(*p.fixture)) : 0.0;
}

double workload::ideal_seconds(const params& p, models::in_flight limit) {
  // A warm walk on getdents64 reads a few million entries a second per core.
  constexpr double entries_per_second = 3e6;
  const double cores = std::max(1u, std::thread::hardware_concurrency());
  const double parallel = limit ? std::min(static_cast<double>(*limit), cores) : cores;
  return items(p) / (entries_per_second * parallel);
}

concur::metrics workload::metrics(const result& r) {
  double entries = 0, errors = 0, dirs = 0;
  for (const auto& root : r.roots) {
    entries += static_cast<double>(root.entries.size());
    errors += static_cast<double>(root.errors.size());
    dirs += static_cast<double>(root.dirs_opened);
  }
  return {{"entries", entries}, {"errors", errors}, {"dirs_opened", dirs}};
}

std::string workload::describe_diff(const result& expected, const result& actual) {
  diff d;
  d.field("roots", expected.roots.size(), actual.roots.size());
  for (std::size_t i = 0; i < std::min(expected.roots.size(), actual.roots.size()); ++i) {
    root_result want = expected.roots[i], got = actual.roots[i];
    canonicalize(want);
    canonicalize(got);
    const std::string name = fmt::format("root {} ({})", i, printable(want.root));
    d.field(name + " path", printable(want.root), printable(got.root));
    d.field(name + " dirs opened", want.dirs_opened, got.dirs_opened);
    d.field(name + " entries read", want.entries_read, got.entries_read);
    d.sorted_set(name + " entries", want.entries, got.entries, [](const entry& e) {
      return fmt::format("{} ({})", printable(e.path), to_string(e.type));
    });
    d.sorted_set(name + " errors", want.errors, got.errors, [](const error& e) {
      return fmt::format("{}: {} ({})", printable(e.path), e.message, e.code);
    });
  }
  return d.str();
}

std::vector<baseline> workload::baselines(const params& p) {
  if (!p.peers || p.opts.follow_symlinks) return {};
  const auto with_roots = [p](std::vector<std::string> head, std::vector<std::string> tail) {
    return [p, head, tail] {
      auto argv = head;
      for (auto& r : resolve_roots(p)) argv.push_back(r);
      argv.insert(argv.end(), tail.begin(), tail.end());
      return argv;
    };
  };
  baseline find{.name = "find",
                .timed_argv = with_roots({"find"}, {}),
                .count_argv = with_roots({"find"}, {"-print0"}),
                .record_separator = '\0',
                .extra_records = p.roots.size()};  // find prints each root too
  if (!process::find_program("find")) find.unavailable = "find is not installed";
  baseline fd{.name = "fdfind",
              .timed_argv = with_roots({"fdfind", "-u", "."}, {}),
              .count_argv = with_roots({"fdfind", "-u", "-0", "."}, {}),
              .record_separator = '\0'};
  if (!process::find_program("fdfind"))
    fd.unavailable = "fdfind is not installed (Debian package fd-find)";
  return {find, fd};
}

std::size_t workload::baseline_records(const result& r) {
  std::size_t n = 0;
  for (const auto& root : r.roots) n += root.entries.size();
  return n;
}

namespace {

// find's type letter (%y; with -L the target's, and 'l' for a dangling link) as an entry type.
entry_type from_find_letter(char letter) {
  switch (letter) {
    case 'f':
      return entry_type::file;
    case 'd':
      return entry_type::dir;
    case 'l':
      return entry_type::symlink;
    default:
      return entry_type::other;  // p, s, c, b, D: what the walk calls other
  }
}

// GNU find's listing of a root below it: (path relative to the root, type), canonical order.
std::vector<entry> find_listing(const std::string& root, bool follow) {
  // -H: a root that is a link to a directory is searched, as the walk does; -L follows every link.
  std::vector<std::string> argv{"find", follow ? "-L" : "-H"};
  argv.insert(argv.end(), {root, "-mindepth", "1", "-printf", "%P\\0%y\\0"});
  const auto listed = process::capture(argv);
  // Records of "path NUL letter NUL".
  const std::string& text = listed.out;
  std::vector<entry> out;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t nul = text.find('\0', pos);
    if (nul == std::string::npos || nul + 2 >= text.size() || text[nul + 2] != '\0')
      throw std::runtime_error(fmt::format("find printed a malformed record at byte {}", pos));
    out.push_back({text.substr(pos, nul - pos), from_find_letter(text[nul + 1])});
    pos = nul + 3;
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Following links, find and the walk part in two places, so the audit compares the rest:
// find -L stats every entry by its whole path, so it cannot list past PATH_MAX (the walk opens
// each directory relative to its parent); and a link in a loop is an entry with an ELOOP error
// in the walk, only an error in find.
std::vector<entry> comparable_when_following(const std::string& root, std::vector<entry> entries,
                                             const std::vector<error>& loops) {
  std::erase_if(entries, [&](const entry& e) {
    return root.size() + 1 + e.path.size() >= PATH_MAX ||
           std::any_of(loops.begin(), loops.end(),
                       [&](const error& x) { return x.code == ELOOP && x.path == e.path; });
  });
  return entries;
}

}  // namespace

// An oracle that shares nothing with the walker, so that the sequential result (every model's
// oracle) can fail too: find's entries and types. Its errors and its work are find's own (it
// reports a loop where the walk reports ELOOP), so only the entries are compared.
std::string workload::audit(const params& p, const result& r) {
  if (!process::find_program("find")) return "find is not installed (Debian package findutils)";
  diff d;
  const auto roots = resolve_roots(p);
  d.field("roots", roots.size(), r.roots.size());
  for (std::size_t i = 0; i < std::min(roots.size(), r.roots.size()); ++i) {
    auto want = find_listing(roots[i], p.opts.follow_symlinks);
    auto got = r.roots[i].entries;
    std::sort(got.begin(), got.end());
    if (p.opts.follow_symlinks) {
      want = comparable_when_following(roots[i], std::move(want), {});
      got = comparable_when_following(roots[i], std::move(got), r.roots[i].errors);
    }
    d.sorted_set(fmt::format("root {} ({}) entries", i, printable(roots[i])), want, got,
                 [](const entry& e) {
                   return fmt::format("{} ({})", printable(e.path), to_string(e.type));
                 });
  }
  return d.str();
}

}  // namespace concur::dirsearch
