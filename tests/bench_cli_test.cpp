// concur-bench end to end: list, verify-only, timed runs in interleaved rounds whose JSON the
// report reads, the seed's replay, the machine's keys and the slowdown test hook in the context.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "bench/rounds.hpp"
#include "core/machine.hpp"
#include "core/page_cache.hpp"
#include "core/vocabulary.hpp"
#include "models/models.hpp"
#include "report/report.hpp"
#include "tests/support.hpp"

namespace {

using concur::testing::run_command;
using concur::testing::temp_dir;
namespace context = concur::vocabulary::context;

const std::string bench = CONCUR_BENCH;
// The five sleep cells of the 1 ms test case, each run short.
const std::string sleep_cells =
    " --all-cases --benchmark_filter=sleep/.*/n10_d1ms --benchmark_min_time=0.01";

std::string context_value(const concur::report::results& r, std::string_view key) {
  for (const auto& [k, v] : r.context)
    if (k == key) return v;
  return "<absent>";
}

// A timed run of concur-bench writing JSON into dir; extra: more arguments (and environment).
concur::report::results timed_run(const temp_dir& dir, const std::string& extra,
                                  const std::string& env = "") {
  const auto json = (dir.path() / "out.json").string();
  const auto r = run_command(env + bench + sleep_cells + extra + " --benchmark_out=" + json);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return concur::report::load(json);
}

// The benchmark names in the order they ran (the file keeps it).
std::vector<std::string> run_order(const temp_dir& dir) {
  std::ifstream in(dir.path() / "out.json");
  const auto doc = nlohmann::json::parse(in);
  std::vector<std::string> names;
  for (const auto& b : doc["benchmarks"]) names.push_back(b["name"]);
  return names;
}

TEST(bench_cli, lists_cells_with_settings_and_skip_reasons) {
  const auto r = run_command(bench + " --list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("sleep/coroutines/n100000_d100ms"), std::string::npos);
  EXPECT_NE(r.output.find("sleep/sequential/n10000_d100ms"), std::string::npos);
  EXPECT_NE(r.output.find("exceeds the budget"), std::string::npos);
  EXPECT_EQ(r.output.find("n10_d1ms"), std::string::npos)
      << "test cases are listed only with --all-cases";
}

TEST(bench_cli, the_sweeps_rungs_are_selected_only_with_sweep) {
  const std::string dirsearch = " --list --benchmark_filter=dirsearch/sequential/tree_";
  const auto without = run_command(bench + dirsearch);
  ASSERT_EQ(without.exit_code, 0) << without.output;
  EXPECT_NE(without.output.find("dirsearch/sequential/tree_200k"), std::string::npos);
  EXPECT_EQ(without.output.find("tree_1m"), std::string::npos) << without.output;
  const auto with = run_command(bench + dirsearch + " --sweep");
  ASSERT_EQ(with.exit_code, 0) << with.output;
  EXPECT_NE(with.output.find("dirsearch/sequential/tree_1m"), std::string::npos) << with.output;
  EXPECT_NE(with.output.find("dirsearch/sequential/tree_200k"), std::string::npos);
}

// The line of a cell in --list's output.
std::string listed(const std::string& output, const std::string& cell) {
  const auto at = output.find(cell + " ");
  return at == std::string::npos ? "<absent>" : output.substr(at, output.find('\n', at) - at);
}

TEST(bench_cli, the_default_run_times_pythons_first_case_python_every_case_no_python_none) {
  const std::string filter = " --list --benchmark_filter=sleep/py-asyncio/";
  const auto by_default = run_command(bench + filter);
  ASSERT_EQ(by_default.exit_code, 0) << by_default.output;
  EXPECT_EQ(listed(by_default.output, "sleep/py-asyncio/n10_d100ms").find("skipped"),
            std::string::npos)
      << by_default.output;
  EXPECT_NE(listed(by_default.output, "sleep/py-asyncio/n10000_d100ms")
                .find("skipped: the default run times the course's Python on each workload's "
                      "first case where it runs (here n10_d100ms); --python times it"),
            std::string::npos)
      << by_default.output;
  // Left out of the timing, it is left out of the verification too.
  const auto verified =
      run_command(bench + " --verify-only --benchmark_filter=sleep/py-asyncio/n10000_d100ms 2>&1");
  EXPECT_NE(verified.output.find("skipped: the default run times the course's Python"),
            std::string::npos)
      << verified.output;
  const auto every = run_command(bench + filter + " --python");
  ASSERT_EQ(every.exit_code, 0) << every.output;
  EXPECT_EQ(listed(every.output, "sleep/py-asyncio/n10000_d100ms").find("skipped"),
            std::string::npos)
      << every.output;
  const auto none = run_command(bench + filter + " --no-python");
  ASSERT_EQ(none.exit_code, 0) << none.output;
  EXPECT_NE(listed(none.output, "sleep/py-asyncio/n10_d100ms")
                .find("skipped: the course's Python is off (--no-python)"),
            std::string::npos)
      << none.output;
  EXPECT_EQ(run_command(bench + filter + " --python --no-python").exit_code, 2);
}

TEST(bench_cli, the_filter_selects_a_column) {
  const auto r = run_command(bench + " --list --all-cases --benchmark_filter=/tbb/");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("sleep/tbb/n10_d1ms"), std::string::npos);
  EXPECT_EQ(r.output.find("/threads/"), std::string::npos);
}

TEST(bench_cli, verify_only_passes_on_the_small_cases) {
  const auto r = run_command(bench + " --verify-only --all-cases --benchmark_filter=_d1ms");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("sleep/executor/n100_d1ms"), std::string::npos);
  EXPECT_EQ(r.output.find("FAIL"), std::string::npos) << r.output;
}

TEST(bench_cli, a_quick_run_writes_one_row_per_cell_the_report_reads) {
  temp_dir dir("concur-bench");
  const auto results = timed_run(dir, " --quick");
  ASSERT_EQ(results.rows.size(), concur::size(concur::models::all{}));
  for (const auto& row : results.rows) {
    EXPECT_EQ(row.verdict, "pass") << row.model << ": " << row.detail;
    EXPECT_EQ(row.repetition, 0) << row.model;
    EXPECT_TRUE(row.efficiency && *row.efficiency > 0) << row.model;
  }
  EXPECT_EQ(context_value(results, context::rounds_preset), "quick");
  EXPECT_EQ(context_value(results, context::rounds_done), "1");
  // --all-cases selected the test case: the report's summary leaves it out unless alone.
  EXPECT_EQ(context_value(results, context::test_cases), "sleep/n10_d1ms");
  EXPECT_EQ(context_value(results, context::sweep_cases), "<absent>");
}

// Killed part-way (between or during the rewrites of its file), a run leaves the file of its
// last whole round, and the report says at the top that the run was cut short.
TEST(bench_cli, a_killed_run_leaves_a_whole_file_the_report_says_was_cut_short) {
  temp_dir dir("concur-bench");
  const auto json = (dir.path() / "out.json").string();
  const auto r = run_command(
      bench + sleep_cells + " --min-rounds=100000 --max-rounds=100000 --time-budget=3600" +
      " --benchmark_out=" + json + " >/dev/null 2>&1 & pid=$!; for i in $(seq 1200); do [ -s " +
      json + " ] && break; sleep 0.1; done; kill -9 $pid; wait $pid; echo killed $?");
  ASSERT_NE(r.output.find("killed 137"), std::string::npos) << r.output;
  const auto results = concur::report::load(json);
  EXPECT_EQ(context_value(results, context::rounds_done), "<absent>");
  ASSERT_FALSE(results.rows.empty());
  const auto md = concur::report::to_markdown(results);
  EXPECT_NE(md.find("> **Warning: this run was cut short** after "), std::string::npos) << md;
  EXPECT_EQ(timed_run(dir, " --quick").rows.size(), concur::size(concur::models::all{}));
  EXPECT_EQ(concur::report::to_markdown(concur::report::load(json)).find("cut short"),
            std::string::npos);
}

// The console: a line per cell at the end (its median, interval, runs, verdict); Google
// Benchmark's row per run only when --benchmark_format asks for its display.
TEST(bench_cli, the_console_shows_a_line_per_cell_unless_a_benchmark_format_is_given) {
  const auto ours = run_command(bench + sleep_cells + " --min-rounds=2 --max-rounds=2 2>/dev/null");
  ASSERT_EQ(ours.exit_code, 0) << ours.output;
  EXPECT_EQ(ours.output.find("Iterations"), std::string::npos) << ours.output;
  EXPECT_NE(ours.output.find("median ± 95 % CI"), std::string::npos) << ours.output;
  std::istringstream lines(ours.output);
  std::size_t cells = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("sleep/")) continue;
    ++cells;
    EXPECT_TRUE(line.ends_with("  2  pass")) << line;
    EXPECT_NE(line.find(" ms ± "), std::string::npos) << line;
  }
  EXPECT_EQ(cells, concur::size(concur::models::all{})) << ours.output;

  const auto google =
      run_command(bench + sleep_cells + " --quick --benchmark_format=console 2>/dev/null");
  ASSERT_EQ(google.exit_code, 0) << google.output;
  EXPECT_NE(google.output.find("Iterations"), std::string::npos) << google.output;
  EXPECT_NE(google.output.find("sleep/threads/n10_d1ms/real_time"), std::string::npos)
      << google.output;
}

TEST(bench_cli, rounds_give_each_cell_one_run_per_round_and_the_context_says_how) {
  temp_dir dir("concur-bench");
  const auto results = timed_run(dir, " --min-rounds=3 --max-rounds=3 --seed=7");
  std::map<std::string, std::vector<int>> rounds_of;
  for (const auto& row : results.rows) {
    EXPECT_EQ(row.verdict, "pass") << row.model << ": " << row.detail;
    rounds_of[row.model].push_back(row.repetition);
  }
  ASSERT_EQ(rounds_of.size(), concur::size(concur::models::all{}));
  for (auto& [model, rounds] : rounds_of) {
    std::sort(rounds.begin(), rounds.end());
    EXPECT_EQ(rounds, (std::vector<int>{0, 1, 2})) << model;
  }
  // After the first round a cell runs the fewest iterations that reach the minimum run time
  // (sleep_cells': 0.01 s) at the time its first round measured, the same in every later round.
  std::map<std::string, const concur::report::row*> first;
  for (const auto& row : results.rows)
    if (row.repetition == 0) first[row.model] = &row;
  for (const auto& row : results.rows) {
    if (row.repetition == 0) continue;
    const auto want =
        concur::bench::rounds::iterations_for(0.01, first.at(row.model)->real_s.value());
    EXPECT_NEAR(static_cast<double>(row.iterations), static_cast<double>(want), 1.0)
        << row.model << " round " << row.repetition;
  }
  EXPECT_EQ(context_value(results, context::rounds_seed), "7");
  EXPECT_EQ(context_value(results, context::rounds_done), "3");
  EXPECT_EQ(context_value(results, context::rounds_stopped_by),
            concur::vocabulary::rounds_stop::max_rounds);
  EXPECT_EQ(context_value(results, context::test_slowdown), context::test_slowdown_off);
  // Only sleep's cells ran: the run's time is all theirs, and more than nothing.
  const auto spent = context_value(results, context::rounds_spent_by_workload_s);
  ASSERT_TRUE(spent.starts_with("sleep ")) << spent;
  EXPECT_GT(std::stod(spent.substr(6)), 0.0) << spent;
  EXPECT_EQ(spent.find(';'), std::string::npos) << spent;
  for (const auto key : concur::machine::keys::all)
    EXPECT_NE(context_value(results, key), "<absent>") << key;
}

TEST(bench_cli, the_seed_replays_the_order) {
  const auto order_with = [](const std::string& seed) {
    temp_dir dir("concur-bench");
    timed_run(dir, " --min-rounds=2 --max-rounds=2 --seed=" + seed);
    return run_order(dir);
  };
  const auto first = order_with("11");
  ASSERT_EQ(first.size(), 2 * concur::size(concur::models::all{}));
  EXPECT_EQ(order_with("11"), first);
  EXPECT_NE(order_with("12"), first) << "another seed, another order (fixed: the order is a "
                                        "function of the seed)";
}

// A drop evicts what the warm cells' next runs rely on: the cells that drop the page cache have
// rounds of their own once every other cell has had all of its, as many as any cell gets.
TEST(bench_cli, cells_that_drop_the_page_cache_run_in_rounds_of_their_own_after_the_others) {
  temp_dir dir("concur-bench");
  const auto json = (dir.path() / "out.json").string();
  const auto r = run_command(bench +
                             " --all-cases --benchmark_min_time=0.01 --min-rounds=2 --max-rounds=2"
                             " --benchmark_filter='dirsearch/sequential/(cold_)?fixture/|sleep/"
                             "sequential/n10_d1ms/' --benchmark_out=" +
                             json);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(json);
  const auto doc = nlohmann::json::parse(in);
  std::set<int> warm_rounds, cold_rounds;
  bool cold_seen = false;
  for (const auto& b : doc["benchmarks"]) {
    const int round = b["repetition_index"];
    const std::string name = b["name"];
    const bool cold = name.find("/cold_") != std::string::npos;
    if (!cold) {
      EXPECT_FALSE(cold_seen) << name << " ran after a cold cell";
    }
    cold_seen = cold_seen || cold;
    (cold ? cold_rounds : warm_rounds).insert(round);
  }
  EXPECT_EQ(warm_rounds, (std::set<int>{0, 1}));
  // The cold cell has its two rounds when the page cache may be dropped, else it is reported as
  // skipped in its first: there is always one, after the warm ones.
  ASSERT_FALSE(cold_rounds.empty());
  EXPECT_EQ(*cold_rounds.begin(), 2);
  if (concur::page_cache::drop_unavailable().empty()) {
    EXPECT_EQ(cold_rounds, (std::set<int>{2, 3}));
  }
}

TEST(bench_cli, the_slowdown_hook_slows_its_model_and_says_so) {
  temp_dir dir("concur-bench");
  const auto results = timed_run(dir, " --quick", "CONCUR_TEST_SLOWDOWN=coroutines:2 ");
  EXPECT_EQ(context_value(results, context::test_slowdown), "coroutines:2");
  for (const auto& row : results.rows) {
    ASSERT_TRUE(row.efficiency) << row.model;
    // Every run waits at least its delay, the ideal: twice that bounds efficiency by 1/2.
    if (row.model == "coroutines") {
      EXPECT_LE(*row.efficiency, 0.5 + 1e-9);
    }
  }
}

TEST(bench_cli, another_allocator_is_preloaded_and_recorded) {
  temp_dir dir("concur-bench");
  const auto plain = timed_run(dir, " --quick");
  const auto malloc_from = context_value(plain, context::allocator);
  if (malloc_from != "glibc") GTEST_SKIP() << "malloc comes from " << malloc_from << " here";
  const auto json = (dir.path() / "jemalloc.json").string();
  const auto r = run_command(bench + sleep_cells + " --quick --allocator=jemalloc" +
                             " --benchmark_out=" + json);
  if (r.exit_code == 1 && r.output.find("is not installed") != std::string::npos)
    GTEST_SKIP() << r.output;
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto results = concur::report::load(json);
  EXPECT_EQ(context_value(results, context::allocator), "jemalloc");
  EXPECT_NE(context_value(results, context::allocator_library).find("libjemalloc"),
            std::string::npos);
  for (const auto& row : results.rows) EXPECT_EQ(row.verdict, "pass") << row.model;
}

// jemalloc and mimalloc keep freed memory for reuse, and glibc's malloc_trim cannot hand theirs
// back: unless the probe asks them, a run after a larger one grows its peak RSS by little (under
// mimalloc, 1M sleeping tasks read 40-80 B each instead of ~900). mimalloc still keeps its recently
// freed pages committed (the report says so), so only its large rung is held to glibc's figure.
TEST(bench_cli, a_preloaded_allocator_hands_back_freed_memory_before_each_run) {
  // A sanitizer's malloc cannot be replaced: said at once, before a million sleeps under it.
  const auto probe = run_command(bench + " --list --allocator=jemalloc");
  if (probe.exit_code != 0 && probe.output.find("sanitizer") != std::string::npos)
    GTEST_SKIP() << probe.output;
  temp_dir dir("concur-bench");
  const std::string cells =
      " '--benchmark_filter=^sleep/coroutines/n(1000000|10000)_d100ms' --sweep --min-rounds=2 "
      "--max-rounds=2";
  std::map<std::string, std::map<std::string, std::vector<double>>> bytes;  // allocator, case
  for (const std::string allocator : {"glibc", "jemalloc", "mimalloc"}) {
    const auto json = (dir.path() / (allocator + ".json")).string();
    const auto r =
        run_command(bench + cells + " --allocator=" + allocator + " --benchmark_out=" + json);
    if (r.exit_code == 1 && r.output.find("is not installed") != std::string::npos) continue;
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto results = concur::report::load(json);
    if (context_value(results, context::allocator) != allocator)
      GTEST_SKIP() << "malloc comes from " << context_value(results, context::allocator);
    for (const auto& row : results.rows) {
      ASSERT_TRUE(row.bytes_per_item) << allocator << " " << row.case_name;
      bytes[allocator][row.case_name].push_back(*row.bytes_per_item);
    }
  }
  ASSERT_EQ(bytes["glibc"].size(), 2u);
  for (const auto& [allocator, cases] : bytes)
    for (const auto& [case_name, runs] : cases) {
      if (allocator == "mimalloc" && case_name != "n1000000_d100ms") continue;
      const double glibc =
          *std::min_element(bytes["glibc"][case_name].begin(), bytes["glibc"][case_name].end());
      for (const double b : runs) EXPECT_GT(b, glibc / 2) << allocator << " " << case_name;
    }
}

TEST(bench_cli, an_unknown_allocator_is_a_usage_error_a_missing_one_names_its_package) {
  EXPECT_EQ(run_command(bench + " --list --allocator=tcmalloc").exit_code, 2);
  const auto r =
      run_command("CONCUR_ALLOCATOR_DIRS=/nonexistent " + bench + " --list --allocator=mimalloc");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("apt-get install libmimalloc2.0"), std::string::npos) << r.output;
}

TEST(bench_cli, rejects_unknown_flags_and_bad_values) {
  EXPECT_NE(run_command(bench + " --benchmark_bogus=1").exit_code, 0);
  EXPECT_NE(run_command(bench + " --budget=-3").exit_code, 0);
  EXPECT_NE(run_command(bench + " --benchmark_repetitions=3").exit_code, 0);
  EXPECT_NE(run_command(bench + " --quick --thorough").exit_code, 0);
  EXPECT_EQ(run_command("CONCUR_TEST_SLOWDOWN=coroutines " + bench + " --quick").exit_code, 2);
}

// Each CONCUR_* variable is the fallback of a flag, as Google Benchmark's BENCHMARK_<FLAG>: --help
// lists it, the variable works alone, and the flag wins over it.
TEST(bench_cli, environment_variables_are_fallbacks_of_flags_listed_in_help) {
  const auto help = run_command(bench + " --help");
  ASSERT_EQ(help.exit_code, 0) << help.output;
  for (const char* flag_and_variable : {"--test-slowdown MODEL:FACTOR (Env:CONCUR_TEST_SLOWDOWN)",
                                        "--allocator-dirs DIR:DIR (Env:CONCUR_ALLOCATOR_DIRS)",
                                        "--no-drop-caches (Env:CONCUR_NO_DROP_CACHES)",
                                        "--dirsearch-root DIR (Env:CONCUR_DIRSEARCH_ROOT)"})
    EXPECT_NE(help.output.find(flag_and_variable), std::string::npos) << flag_and_variable;

  const auto flag_wins = run_command("CONCUR_TEST_SLOWDOWN=coroutines " + bench +
                                     " --list --test-slowdown=coroutines:2");
  EXPECT_EQ(flag_wins.exit_code, 0) << flag_wins.output;
  const auto bad_flag = run_command(bench + " --list --test-slowdown=coroutines");
  EXPECT_EQ(bad_flag.exit_code, 2);
  EXPECT_NE(bad_flag.output.find("concur-bench: error: --test-slowdown: expected MODEL:FACTOR"),
            std::string::npos)
      << bad_flag.output;

  const auto dirs = run_command("CONCUR_ALLOCATOR_DIRS=/nonexistent " + bench +
                                " --list --allocator=mimalloc --allocator-dirs=/nonexistent-too");
  EXPECT_EQ(dirs.exit_code, 1) << dirs.output;
  EXPECT_NE(dirs.output.find("/nonexistent-too"), std::string::npos) << dirs.output;
}

// A setting given on the command line (flag) or in the environment (env), and the name a message
// gives it.
struct given {
  std::string env, flag, named;
};

TEST(bench_cli, dropping_the_page_cache_is_declined_by_the_flag_or_the_variable) {
  for (const given& how : {given{"", " --no-drop-caches", "--no-drop-caches"},
                           given{"CONCUR_NO_DROP_CACHES=1 ", "", "CONCUR_NO_DROP_CACHES"}}) {
    const auto r = run_command(how.env + bench + " --list" + how.flag);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(
        r.output.find("skipped: cold cache: dropping the page cache is declined by " + how.named),
        std::string::npos)
        << r.output;
  }
  const auto allowed = run_command("CONCUR_NO_DROP_CACHES=0 " + bench + " --list");
  EXPECT_EQ(allowed.output.find("declined by"), std::string::npos) << allowed.output;
}

TEST(bench_cli, a_directory_of_ones_own_is_a_dirsearch_case) {
  EXPECT_EQ(run_command(bench + " --list").output.find("dirsearch/threads/env_root"),
            std::string::npos);
  for (const given& how :
       {given{"", " --dirsearch-root=/usr/include", "--dirsearch-root"},
        given{"CONCUR_DIRSEARCH_ROOT=/usr/include ", "", "CONCUR_DIRSEARCH_ROOT"}}) {
    const auto r = run_command(how.env + bench + " --list" + how.flag);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("dirsearch/threads/env_root"), std::string::npos) << how.named;
  }
}

// A missing path or a file is no directory to search: its cells (models and programs) are
// skipped with the reason rather than timed on one error entry.
TEST(bench_cli, a_root_that_is_no_directory_skips_its_cells_with_the_reason) {
  for (const auto& [root, why] : {std::pair{"/no/such/dir", "No such file or directory"},
                                  {CONCUR_CLI, "is not a directory"}}) {
    const auto r = run_command(std::string("CONCUR_DIRSEARCH_ROOT=") + root + " " + bench +
                               " --benchmark_filter=env_root --min-rounds=1 --max-rounds=1");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    for (const char* cell : {"dirsearch/sequential/env_root", "dirsearch/find/env_root"}) {
      const auto at = r.output.find(cell);
      ASSERT_NE(at, std::string::npos) << cell << "\n" << r.output;
      const auto line = r.output.substr(at, r.output.find('\n', at) - at);
      EXPECT_NE(line.find("skipped"), std::string::npos) << line;
    }
    EXPECT_NE(r.output.find(std::string("\"") + root + "\""), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(why), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("PASS"), std::string::npos) << r.output;
  }
}

}  // namespace
