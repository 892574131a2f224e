#include "bench/options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "cli/options.hpp"
#include "cli/top_level.hpp"
#include "core/page_cache.hpp"
#include "workloads/dirsearch/dirsearch.hpp"

namespace concur::bench {
namespace {

// What --sweep adds to the default --time-budget: about what its rungs' first six rounds take on
// a quiet 2-core machine (~175 s a round; the whole --sweep run took 31 min there).
constexpr double sweep_time_budget_s = 1050;

// The flags whose messages name how they were given (given_as).
constexpr const char* test_slowdown_flag = "--test-slowdown";
constexpr const char* no_drop_caches_flag = "--no-drop-caches";

void add_selection_options(CLI::App& app, command_line& o) {
  app.add_flag("--list", o.list,
               "list the cells (workload/model/case) with their settings and skip reasons");
  app.add_flag("--verify-only", o.verify_only,
               "verify every selected cell against its oracle, time nothing");
  app.add_flag("--all-cases", o.all_cases,
               "include the small test cases beside the benchmark cases");
  app.add_flag(
      "--sweep", o.sweep,
      fmt::format("include the larger rungs of every workload's size ladder (the "
                  "growth of cost with the work); adds {:g} s to the default --time-budget",
                  sweep_time_budget_s));
}

// What the matrix is built from: the budget, the models' threads, the Python cells.
void add_matrix_options(CLI::App& app, options& matrix) {
  app.add_option("--budget", matrix.budget_seconds,
                 "skip cells whose ideal time exceeds this many seconds")
      ->check(cli::number_in(1e-6, 86400, " s"))
      ->capture_default_str();
  cli::add_model_threads(app, matrix.config);
  matrix.python = python_cells::first_case;
  auto* every = app.add_flag_callback(
      "--python", [&matrix] { matrix.python = python_cells::all; },
      "time the course's Python cells (py-*) on every case, not only each workload's first case "
      "with them (about 3 more minutes)");
  auto* none = app.add_flag_callback(
      "--no-python", [&matrix] { matrix.python = python_cells::none; },
      "time none of the course's Python cells");
  every->excludes(none);
}

void add_allocator_options(CLI::App& app, command_line& o) {
  app.add_option("--allocator", o.allocator,
                 "the memory allocator: glibc's malloc, or jemalloc or mimalloc (Debian packages "
                 "libjemalloc2, libmimalloc2.0) loaded by re-executing with LD_PRELOAD")
      ->check(CLI::IsMember(allocator::names()))
      ->capture_default_str();
  app.add_option("--allocator-dirs", o.allocator_dirs,
                 "where to look for --allocator's library instead of the loader's directories "
                 "(colon-separated)")
      ->type_name("DIR:DIR")
      ->envname(env::allocator_dirs);
}

void add_rounds_options(CLI::App& app, command_line& o) {
  const auto defaults = rounds::preset_settings(rounds::preset::standard);
  auto* quick = app.add_flag("--quick", o.quick, "one round: a smoke test, no statistics");
  auto* thorough = app.add_flag("--thorough", o.thorough,
                                "at least 10 rounds, 1 % target, 3x the time budget, 0.5 s runs");
  quick->excludes(thorough);
  app.add_option("--seed", o.seed, "seed of the rounds' order (default: from the clock; printed)")
      ->check(cli::whole_in<std::uint64_t>(0, std::numeric_limits<std::uint64_t>::max()));
  app.add_option("--min-rounds", o.min_rounds,
                 fmt::format("timed rounds every cell gets (default {})", defaults.min_rounds))
      ->check(cli::whole_in<std::size_t>(1, 100'000));
  app.add_option("--max-rounds", o.max_rounds,
                 fmt::format("rounds a cell gets at most (default {})", defaults.max_rounds))
      ->check(cli::whole_in<std::size_t>(1, 100'000));
  app.add_option("--target-ci", o.target_ci,
                 fmt::format("a cell is precise enough when its median's 95 % CI half-width is "
                             "within this fraction of the median (default {:g})",
                             defaults.target_ci))
      ->check(cli::number_in(1e-6, 1.0));
  app.add_option("--time-budget", o.time_budget,
                 fmt::format("seconds for the rounds: beyond --min-rounds, no round starts that "
                             "would overrun it (default {:g})",
                             defaults.time_budget_s))
      ->check(cli::number_in(1e-3, 7 * 86400.0, " s"));
  app.add_option("--min-run-time,--benchmark_min_time", o.min_time,
                 fmt::format("seconds a timed run repeats its cell for at least, its figures "
                             "the mean over the repeats (Google Benchmark's min_time; default "
                             "{:g})",
                             defaults.min_time_s))
      ->check(cli::number_in(1e-3, 3600, " s"));
}

void add_output_options(CLI::App& app, command_line& o) {
  app.add_option("--benchmark_out", o.out_path, "write every round's runs to this JSON file");
  app.add_option("--benchmark_out_format", o.out_format, "json (the only format written)");
  app.add_option("--benchmark_repetitions", o.repetitions,
                 "not supported: the rounds are the repetitions (--min-rounds, --max-rounds)");
}

// Any value of the variable but 0 declines, as "1" does.
CLI::Validator declines() {
  return CLI::Validator(
      [](std::string& value) {
        value = value == "0" ? "false" : "true";
        return std::string();
      },
      "");
}

void add_environment_options(CLI::App& app, command_line& o) {
  app.add_flag(no_drop_caches_flag, o.no_drop_caches,
               "skip the cold-cache cases rather than drop the page cache before each of their "
               "runs (which needs root, and slows the whole machine for a moment)")
      ->transform(declines())
      ->disable_flag_override()
      ->envname(env::no_drop_caches);
  app.add_option("--dirsearch-root", o.dirsearch_root,
                 "a directory of your own to search too, as the dirsearch case env_root")
      ->type_name("DIR")
      ->envname(env::dirsearch_root);
  app.add_option(test_slowdown_flag, o.test_slowdown,
                 "TEST HOOK: make every cell of MODEL FACTOR (1 to 100) times slower on purpose "
                 "(see below)")
      ->type_name("MODEL:FACTOR")
      ->envname(env::test_slowdown);
}

}  // namespace

const char* const help_footer =
    "Cells are timed in interleaved rounds: each round runs every still-active cell once, in a "
    "random order drawn from --seed (cells that drop the page cache last); a run's "
    "repetition_index in the JSON is its round.\n\n"
    "A flag shown with (Env:VARIABLE) takes the variable's value when the flag is not given.\n\n"
    "TEST HOOK: --test-slowdown=MODEL:FACTOR or CONCUR_TEST_SLOWDOWN=MODEL:FACTOR (e.g. "
    "coroutines:1.10) makes every cell of MODEL FACTOR times slower on purpose (a busy-wait inside "
    "the timed region after each run), to check that a comparison resolves a known slowdown. "
    "Never set it for real measurements; it is announced on stderr and recorded in the JSON "
    "context (test_slowdown).";

void add_options(CLI::App& app, command_line& o) {
  add_selection_options(app, o);
  add_allocator_options(app, o);
  add_matrix_options(app, o.matrix);
  add_rounds_options(app, o);
  add_output_options(app, o);
  add_environment_options(app, o);
}

void note_sources(const CLI::App& app, command_line& o, int argc, char** argv) {
  o.test_slowdown_given_as = cli::given_as(*app.get_option(test_slowdown_flag), argc, argv);
  o.no_drop_caches_given_as = cli::given_as(*app.get_option(no_drop_caches_flag), argc, argv);
}

void hand_down(const command_line& o) {
  page_cache::set_declined_by(o.no_drop_caches ? o.no_drop_caches_given_as : "");
  dirsearch::set_extra_root(o.dirsearch_root);
}

allocator::directories allocator_directories(const command_line& o) {
  allocator::directories out;
  for (std::string_view rest = o.allocator_dirs; !rest.empty();) {
    const auto colon = std::min(rest.find(':'), rest.size());
    if (colon > 0) out.emplace_back(rest.substr(0, colon));
    rest.remove_prefix(std::min(colon + 1, rest.size()));
  }
  return out;
}

rounds::preset preset_of(const command_line& o) {
  using rounds::preset;
  return o.quick ? preset::quick : o.thorough ? preset::thorough : preset::standard;
}

rounds::settings rounds_settings(const command_line& o) {
  auto s = rounds::preset_settings(preset_of(o));
  s.min_rounds = o.min_rounds.value_or(s.min_rounds);
  s.max_rounds = o.max_rounds.value_or(std::max(s.max_rounds, s.min_rounds));
  s.target_ci = o.target_ci.value_or(s.target_ci);
  // The sweep's rungs get time of their own, so that they leave the default cells' share as it was.
  s.time_budget_s = o.time_budget.value_or(s.time_budget_s + (o.sweep ? sweep_time_budget_s : 0));
  s.min_time_s = o.min_time.value_or(s.min_time_s);
  s.min_time_given = o.min_time.has_value();
  s.seed = o.seed.value_or(rounds::seed_from_clock());
  return s;
}

std::string usage_error(const command_line& o, const rounds::settings& s) {
  if (o.repetitions != 1)
    return "--benchmark_repetitions is not supported: cells are timed in interleaved rounds "
           "(--min-rounds, --max-rounds, --target-ci, --time-budget)";
  if (o.out_format != "json") return "--benchmark_out_format: only json is written";
  if (s.max_rounds < s.min_rounds) return "--max-rounds is below --min-rounds";
  return {};
}

bool selected(const command_line& o, case_kind kind) {
  switch (kind) {
    case case_kind::test:
      return o.all_cases;
    case case_kind::bench:
      return true;
    case case_kind::sweep:
      return o.sweep;
  }
  return false;
}

name_filter::name_filter(const std::string& filter) : text_(filter) {
  if (filter.empty() || filter == "all" || filter == ".") return;
  negated_ = filter[0] == '-';
  try {
    regex_.emplace(negated_ ? filter.substr(1) : filter);
  } catch (const std::regex_error& e) {
    throw cli::usage_error(fmt::format(
        "--benchmark_filter: \"{}\" is not a regular expression ({})", filter, e.what()));
  }
}

bool name_filter::matches(const cell& c) const {
  if (!regex_) return true;
  const std::string name = c.name() + (c.self_timed ? "/manual_time" : "/real_time");
  return std::regex_search(name, *regex_) != negated_;
}

}  // namespace concur::bench
