#pragma once
// concur-bench's command line: its flags (the model settings from the shared layer,
// cli/options.hpp), the environment variables some of them fall back on, and what the flags come
// to: the rounds' settings, the kinds of case selected, the values handed down to the floors below
// (the page cache, dirsearch's extra root) before the matrix is built.
#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>

#include "bench/allocator.hpp"
#include "bench/matrix.hpp"
#include "bench/rounds.hpp"

namespace concur::bench {

// The environment variables flags fall back on (the flag wins; --help lists each).
namespace env {
inline constexpr const char* test_slowdown = "CONCUR_TEST_SLOWDOWN";
inline constexpr const char* allocator_dirs = "CONCUR_ALLOCATOR_DIRS";
inline constexpr const char* no_drop_caches = "CONCUR_NO_DROP_CACHES";
inline constexpr const char* dirsearch_root = "CONCUR_DIRSEARCH_ROOT";
}  // namespace env

struct command_line {
  options matrix;
  bool list = false, verify_only = false, all_cases = false, sweep = false, quick = false,
       thorough = false;
  std::optional<std::size_t> min_rounds, max_rounds;
  std::optional<double> target_ci, time_budget, min_time;
  std::optional<std::uint64_t> seed;
  std::string out_path, out_format = "json";
  std::string allocator = "glibc";
  std::string allocator_dirs;  // DIR:DIR
  int repetitions = 1;
  std::string test_slowdown;  // MODEL:FACTOR
  bool no_drop_caches = false;
  std::string dirsearch_root;
  // How the user gave the hook and the decline (the flag or the variable), for messages.
  std::string test_slowdown_given_as, no_drop_caches_given_as;
};

// The help's closing words.
extern const char* const help_footer;

// Registers every flag on app.
void add_options(CLI::App& app, command_line& o);

// After a successful parse: notes how the options that fall back on a variable were given.
void note_sources(const CLI::App& app, command_line& o, int argc, char** argv);

// Hands the values the floors below take down (the page cache, dirsearch's extra root); before
// the matrix is built.
void hand_down(const command_line& o);

allocator::directories allocator_directories(const command_line& o);

rounds::preset preset_of(const command_line& o);

// The preset's settings, with the flags given on top.
rounds::settings rounds_settings(const command_line& o);

// A usage error's message, or empty.
std::string usage_error(const command_line& o, const rounds::settings& s);

// The kinds of case a run includes: the benchmark cases, and the test cases and the sweep's
// larger rungs when asked for.
bool selected(const command_line& o, case_kind kind);

// Google Benchmark's filter semantics: a regex, or its negation with a leading '-', on the name it
// gives the cell (with its "/real_time" or "/manual_time"), so filters written for it still work.
class name_filter {
 public:
  // Throws cli::usage_error when the regex is not one.
  explicit name_filter(const std::string& filter);
  bool matches(const cell& c) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  bool negated_ = false;
  std::optional<std::regex> regex_;
};

}  // namespace concur::bench
