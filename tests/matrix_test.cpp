// Every cell of the matrix against its oracle on the small cases, and the verification itself:
// a wrong result is caught with a readable diff, results are deterministic, budgets skip loudly.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <any>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>

#include "bench/matrix.hpp"
#include "core/process.hpp"
#include "tests/support.hpp"
#include "workloads/dirsearch/dirsearch.hpp"
#include "workloads/sleep/sleep.hpp"
#include "workloads/techniques/techniques.hpp"

namespace concur::bench {
namespace {

// Every test process makes these (the suite's names are registered at start-up), so it asks
// only for the small cases' cells.
std::vector<cell> test_cells(options opts = {}) {
  opts.kinds = {case_kind::test};
  return make_cells(opts);
}

const cell& find_cell(const std::vector<cell>& cells, const std::string& name) {
  auto it =
      std::find_if(cells.begin(), cells.end(), [&](const cell& c) { return c.name() == name; });
  if (it == cells.end()) throw std::runtime_error("no cell " + name);
  return *it;
}

std::string identifier(std::string s) {
  std::replace_if(
      s.begin(), s.end(), [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)); },
      '_');
  return s;
}

std::vector<std::string> test_cell_names() {
  std::vector<std::string> names;
  for (const auto& c : test_cells()) names.push_back(c.name());
  return names;
}

class every_cell : public ::testing::TestWithParam<std::string> {
 protected:
  static std::vector<cell>& cells() {
    static std::vector<cell> all = test_cells();
    return all;
  }
};

TEST_P(every_cell, matches_its_oracle) {
  const cell& c = find_cell(cells(), GetParam());
  const verdict v = c.verify();
  if (v.kind == verdict_kind::unsupported) {
    EXPECT_FALSE(c.unsupported.empty()) << "an unsupported cell must say why";
    return;
  }
  if (v.kind == verdict_kind::skipped) {  // a case that cannot run here (a cold cache)
    EXPECT_EQ(v.detail, c.skip_reason);
    GTEST_SKIP() << v.detail;
  }
  EXPECT_EQ(v.kind, verdict_kind::pass) << to_string(v.kind) << ": " << v.detail;
  EXPECT_FALSE(v.oracle.empty());
  // And the same answer on a second run in the same process, as the timed runs must give (state
  // a run leaves behind, a race that shows only sometimes). One test per cell: under the
  // sanitizers a test's process start-up costs as much as a small cell. ThreadSanitizer finds a
  // race in the first run, shown or not, so its build (the slowest) leaves the second to the
  // others.
  if (v.kind != verdict_kind::pass || !c.skip_reason.empty() || testing::built_with_tsan) return;
  const verdict again = c.check(c.run());
  EXPECT_EQ(again.kind, verdict_kind::pass) << "second run: " << again.detail;
}

INSTANTIATE_TEST_SUITE_P(matrix, every_cell, ::testing::ValuesIn(test_cell_names()),
                         [](const auto& info) { return identifier(info.param); });

// Asking for some kinds of case gives those cells, as they are among every kind's.
TEST(matrix, the_kinds_asked_for_give_their_cells_and_no_others) {
  const auto names_of = [](const std::vector<cell>& cells, const std::set<case_kind>& kinds) {
    std::vector<std::string> names;
    for (const auto& c : cells)
      if (kinds.count(c.kind)) names.push_back(c.name() + " " + c.settings + " " + c.skip_reason);
    return names;
  };
  const auto every = make_cells({});
  for (const std::vector<case_kind>& kinds :
       {std::vector{case_kind::test}, std::vector{case_kind::bench, case_kind::sweep}}) {
    const std::set<case_kind> wanted(kinds.begin(), kinds.end());
    const auto some = make_cells({.kinds = kinds});
    EXPECT_EQ(names_of(some, wanted), names_of(every, wanted));
    EXPECT_EQ(names_of(some, wanted).size(), some.size()) << "a cell of a kind not asked for";
  }
}

TEST(matrix, has_every_workload_in_every_model_for_every_case) {
  const auto model_names = models::names();
  const std::set<std::string> every_model(model_names.begin(), model_names.end());
  std::map<std::string, std::set<std::string>> models_per_case;
  std::set<std::string> names;
  for (const auto& c : make_cells({})) {
    EXPECT_TRUE(names.insert(c.name()).second) << "duplicate cell " << c.name();
    EXPECT_FALSE(c.settings.empty()) << c.name();
    if (every_model.count(c.model)) models_per_case[c.workload + "/" + c.case_name].insert(c.model);
  }
  EXPECT_GE(models_per_case.size(), 6u);
  for (const auto& [workload_case, models] : models_per_case)
    EXPECT_EQ(models, every_model) << workload_case;
}

// A ladder's rungs are cases of one workload at three sizes or more, in the default run or the
// sweep, never among the tests' small cases.
// A run repeats a cell that computes until it lasts the workload's minimum; a case that waits on
// latency, or drops the page cache before each run, keeps the run's.
TEST(matrix, a_case_that_computes_runs_the_workloads_minimum_and_one_that_waits_the_runs) {
  const auto cells = make_cells({});
  const auto min_run = [&](const std::string& name) { return find_cell(cells, name).min_run_s; };
  EXPECT_EQ(min_run("fetch/coroutines/n10000_c64"), 0.5);
  EXPECT_EQ(min_run("fetch/coroutines/lat20ms_n640_c64"), 0);
  EXPECT_EQ(min_run("dirsearch/threads/tree_200k"), 0.5);
  EXPECT_EQ(min_run("dirsearch/fdfind/tree_200k"), 0.5);  // a program that computes, as the models
  EXPECT_EQ(min_run("dirsearch/find/cold_200k"), 0);
  EXPECT_EQ(min_run("dirsearch/threads/cold_200k"), 0);
  EXPECT_EQ(min_run("prodcons/fibers/p4_c4_k16_n20000"), 0.5);
  EXPECT_EQ(min_run("sleep/fibers/n1000_d100ms"), 0);
}

TEST(matrix, every_ladder_has_rungs_of_distinct_sizes_in_one_workload) {
  struct ladder {
    std::set<std::string> workloads;
    std::set<double> sizes;
  };
  std::map<std::string, ladder> ladders;
  for (const auto& c : make_cells({})) {
    if (!c.ladder) continue;
    auto& l = ladders[c.ladder->axis];
    l.workloads.insert(c.workload);
    l.sizes.insert(c.ladder->size);
    EXPECT_NE(c.kind, case_kind::test) << c.name() << ": the tests' small cases are on no ladder";
  }
  EXPECT_GE(ladders.size(), 7u);
  for (const auto& [axis, l] : ladders) {
    EXPECT_EQ(l.workloads.size(), 1u) << axis;
    EXPECT_GE(l.sizes.size(), 3u) << axis;
  }
}

// The one list of models is models::all: a source file that names every model again (their tags,
// their names as strings, or the help text) is a second list a new model would have to join.
TEST(model_list, no_source_file_but_the_list_names_every_model) {
  const auto root = std::filesystem::path(CONCUR_TEST_DATA).parent_path().parent_path();
  std::vector<std::string> lists;
  for (const char* dir :
       {"baselines", "bench", "cli", "core", "models", "net", "report", "workloads", "tests"})
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / dir)) {
      const auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      std::ifstream in(entry.path());
      const std::string text{std::istreambuf_iterator<char>(in), {}};
      const auto names_all = [&](auto spelling) {
        for (const auto& m : models::names())
          if (text.find(spelling(m)) == std::string::npos) return false;
        return true;
      };
      if (names_all([](const std::string& m) { return m + "_model"; }) ||
          names_all([](const std::string& m) { return '"' + m + '"'; }) ||
          text.find(models::names_text()) != std::string::npos)
        lists.push_back(entry.path().lexically_relative(root).string());
    }
  EXPECT_EQ(lists, std::vector<std::string>{"models/models.hpp"});
}

// The floors: a folder includes only its own and those below it (the README's layout). The report
// reads results, so it stands on core alone; bench and cli are the top, beside each other.
TEST(layout, no_include_points_up_a_floor) {
  const auto root = std::filesystem::path(CONCUR_TEST_DATA).parent_path().parent_path();
  const std::map<std::string, std::set<std::string>> may_include{
      {"core", {"core", "concur"}},
      {"models", {"core", "models"}},
      {"net", {"core", "models", "net"}},
      {"workloads", {"core", "models", "net", "workloads"}},
      {"baselines", {"core", "models", "net", "workloads", "baselines"}},
      {"report", {"core", "report"}},
      {"bench", {"core", "models", "net", "workloads", "baselines", "report", "bench", "cli"}},
      {"cli", {"core", "models", "net", "workloads", "baselines", "report", "bench", "cli"}}};
  const std::regex include(R"(#include "([a-z_]+)/)");
  std::vector<std::string> upward;
  for (const auto& [floor, allowed] : may_include)
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root / floor)) {
      const auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      std::ifstream in(entry.path());
      for (std::string line; std::getline(in, line);)
        if (std::smatch m; std::regex_search(line, m, include) && !allowed.contains(m[1]))
          upward.push_back(entry.path().lexically_relative(root).string() + ": " + line);
    }
  EXPECT_EQ(upward, std::vector<std::string>{});
}

TEST(model_list, the_command_line_offers_every_model_and_refuses_others) {
  for (const char* command : {"dirsearch", "fetch", "crawl"}) {
    const auto help = testing::run_command(fmt::format("{} {} --help", CONCUR_CLI, command));
    EXPECT_EQ(help.exit_code, 0) << help.output;
    EXPECT_NE(help.output.find(models::names_text()), std::string::npos) << help.output;
    const auto bad = testing::run_command(
        fmt::format("{} {} --model nosuchmodel /nonexistent", CONCUR_CLI, command));
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
  }
}

// The sequential dirsearch result is every model's oracle, so it is checked against find's listing,
// which shares no code with the walk: a walk that misses an entry fails there.
TEST(verification, the_dirsearch_oracle_is_audited_by_find) {
  const auto cells = test_cells();
  const cell& c = find_cell(cells, "dirsearch/sequential/fixture");
  auto result = std::any_cast<dirsearch::result>(c.run());
  const verdict good = c.check(result);
  EXPECT_EQ(good.kind, verdict_kind::pass) << good.detail;
  EXPECT_EQ(good.oracle, "find -printf '%P %y'");
  auto& entries = result.roots.at(0).entries;
  const auto missed = std::find_if(entries.begin(), entries.end(),
                                   [](const dirsearch::entry& e) { return e.path == "notes.txt"; });
  ASSERT_NE(missed, entries.end());
  entries.erase(missed);
  const verdict bad = c.check(result);
  EXPECT_EQ(bad.kind, verdict_kind::fail);
  EXPECT_NE(bad.detail.find("1 missing: notes.txt (file)"), std::string::npos) << bad.detail;
}

// An external program's memory is its own process's peak resident set, which GNU time reports
// (a model's is the growth of this process's peak). A program that touches 64 MiB shows them;
// one that touches nothing, started from this test's larger process, does not read as its size.
TEST(process, the_peak_resident_set_of_a_program_is_its_own) {
  if (!process::find_program("time")) GTEST_SKIP() << "GNU time is not installed";
  std::vector<std::unique_ptr<char[]>> ballast;  // this process grows past 100 MiB first
  for (int i = 0; i < 100; ++i) {
    ballast.emplace_back(new char[1 << 20]);
    std::fill_n(ballast.back().get(), 1 << 20, 'x');
  }
  const auto large = process::peak_rss_of({"python3", "-c", "b = bytearray(64 << 20)"});
  ASSERT_TRUE(large);
  EXPECT_GT(*large, 64.0 * 1024 * 1024);
  EXPECT_LT(*large, 100.0 * 1024 * 1024);
  const auto small = process::peak_rss_of({"true"});
  ASSERT_TRUE(small);
  EXPECT_LT(*small, 16.0 * 1024 * 1024);
  EXPECT_FALSE(process::peak_rss_of({"false"}));  // its status is not among the good ones
  EXPECT_TRUE(process::peak_rss_of({"false"}, {0, 1}));
}

TEST(verification, catches_a_wrong_result_with_a_readable_diff) {
  const auto cells = test_cells();
  const cell& c = find_cell(cells, "sleep/threads/n10_d1ms");
  auto result = std::any_cast<sleep::result>(c.run());
  ASSERT_EQ(c.check(result).kind, verdict_kind::pass);

  result.values[3] ^= 1;
  result.finished -= 1;
  const verdict v = c.check(result);
  EXPECT_EQ(v.kind, verdict_kind::fail);
  EXPECT_NE(v.detail.find("sleep/threads/n10_d1ms"), std::string::npos) << v.detail;
  EXPECT_NE(v.detail.find("tasks finished: expected 10, got 9"), std::string::npos) << v.detail;
  EXPECT_NE(v.detail.find("values[3]: expected"), std::string::npos) << v.detail;
}

TEST(verification, reports_a_reordered_result_element_by_element) {
  const auto cells = test_cells();
  const cell& c = find_cell(cells, "sleep/coroutines/n100_d1ms");
  auto result = std::any_cast<sleep::result>(c.run());
  std::reverse(result.values.begin(),
               result.values.end());  // completion order instead of task order
  const verdict v = c.check(result);
  EXPECT_EQ(v.kind, verdict_kind::fail);
  EXPECT_NE(v.detail.find("values: 95 more differing elements"), std::string::npos) << v.detail;
}

TEST(verification, a_missing_task_is_a_size_difference) {
  const auto expected = sleep::workload::reference({4, std::chrono::milliseconds(1)});
  auto actual = expected;
  actual.values.pop_back();
  const auto text = sleep::workload::describe_diff(expected, actual);
  EXPECT_NE(text.find("values: expected 4 elements, got 3"), std::string::npos) << text;
}

// An environment variable set for a scope, then restored.
class scoped_env {
 public:
  scoped_env(const char* name, const char* value) : name_(name) {
    if (const char* was = std::getenv(name)) was_ = was;
    ::setenv(name, value, 1);
  }
  ~scoped_env() {
    if (was_)
      ::setenv(name_, was_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

 private:
  const char* name_;
  std::optional<std::string> was_;
};

// What a run throws comes to the same verdict in every kind of cell: a fixture the environment
// cannot hold skips the cell, a resource the OS refuses is a measured limit.
TEST(verification, every_kind_of_cell_reads_what_its_run_threw_alike) {
  const auto skipped = verifier("", {}, []() -> verdict { throw fixture_unavailable("no disk"); });
  EXPECT_EQ(skipped().kind, verdict_kind::skipped);
  EXPECT_EQ(skipped().detail, "no disk");
  const auto refused = verifier("", {}, []() -> verdict { throw resource_exhausted("no thread"); });
  EXPECT_EQ(refused().kind, verdict_kind::refused);
  bool prepared = false;
  const auto over_budget = verifier(
      "over budget", [&] { prepared = true; }, []() -> verdict { throw std::logic_error("ran"); });
  EXPECT_EQ(over_budget().kind, verdict_kind::skipped);
  EXPECT_FALSE(prepared);
}

// A Python cell whose fixture cannot be made (nothing can be made below /proc) is skipped, as
// every other cell is.
TEST(verification, a_script_cell_without_its_fixture_is_skipped) {
  const auto cells = make_cells({});
  const cell& c = find_cell(cells, "dirsearch/py-sequential/tree_10k");
  if (!c.unsupported.empty()) GTEST_SKIP() << c.unsupported;
  const scoped_env cache("XDG_CACHE_HOME", "/proc/concur-no-such-dir");
  const scoped_env tmp("TMPDIR", "/proc/concur-no-such-dir");
  const verdict v = c.verify();
  EXPECT_EQ(v.kind, verdict_kind::skipped) << v.detail;
  EXPECT_NE(v.detail.find("cannot make the fixture tree"), std::string::npos) << v.detail;
}

// A Python cell that the OS refuses a thread (the scripts' test hook reports it) is refused.
TEST(verification, a_script_cell_refused_a_resource_is_refused) {
  const auto cells = make_cells({.kinds = {case_kind::bench}});
  const cell& c = find_cell(cells, "sleep/py-threads/n10_d100ms");
  if (!c.unsupported.empty()) GTEST_SKIP() << c.unsupported;
  const scoped_env hook("CONCUR_PY_REFUSED", "1");
  const verdict v = c.verify();
  EXPECT_EQ(v.kind, verdict_kind::refused) << v.detail;
  EXPECT_NE(v.detail.find("CONCUR_PY_REFUSED=1"), std::string::npos) << v.detail;
}

TEST(budget, skips_over_budget_cells_with_the_reason_and_uses_the_reference_oracle) {
  const auto cells = test_cells({.budget_seconds = 0.05});
  const cell& sequential = find_cell(cells, "sleep/sequential/n100_d1ms");
  EXPECT_NE(sequential.skip_reason.find("exceeds the budget"), std::string::npos)
      << sequential.skip_reason;
  const verdict skipped = sequential.verify();
  EXPECT_EQ(skipped.kind, verdict_kind::skipped);
  EXPECT_NE(skipped.detail.find("ideal time 0.1 s"), std::string::npos) << skipped.detail;

  const verdict v = find_cell(cells, "sleep/coroutines/n100_d1ms").verify();
  EXPECT_EQ(v.kind, verdict_kind::pass) << v.detail;
  EXPECT_EQ(v.oracle, "reference");
}

TEST(ideal_time, follows_each_models_bound_on_tasks_in_flight) {
  const models::config config{.pool_threads = 6, .worker_threads = 2, .worker_processes = 2};
  const auto cells = make_cells({.config = config, .kinds = {case_kind::bench, case_kind::sweep}});
  EXPECT_DOUBLE_EQ(find_cell(cells, "sleep/sequential/n10_d100ms").ideal_seconds, 1.0);
  EXPECT_DOUBLE_EQ(find_cell(cells, "sleep/threads/n1000_d100ms").ideal_seconds, 0.1);
  EXPECT_DOUBLE_EQ(find_cell(cells, "sleep/executor/n100_d100ms").ideal_seconds, 1.7);
  EXPECT_DOUBLE_EQ(find_cell(cells, "sleep/tbb/n10_d100ms").ideal_seconds, 0.5);
  // A worker process's loop has no bound, but a blocking call holds its worker: 64 calls of
  // 10 ms on 2 workers take 32 waves.
  EXPECT_DOUBLE_EQ(find_cell(cells, "sleep/processes/n1000_d100ms").ideal_seconds, 0.1);
  EXPECT_DOUBLE_EQ(find_cell(cells, "offload/processes/n64_d10ms").ideal_seconds, 0.32);
}

}  // namespace
}  // namespace concur::bench
