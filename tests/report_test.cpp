// concur report on a JSON recorded from a real concur-bench run, and its error paths.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/report.hpp"
#include "core/vocabulary.hpp"
#include "tests/support.hpp"

namespace concur::report {
namespace {

using concur::testing::run_command;
using concur::testing::temp_dir;

// Recorded with: concur-bench --all-cases --budget=0.05 --benchmark_filter='n10_d1ms|n100_d1ms'
//                --benchmark_repetitions=2 --benchmark_out=sample_results.json
const std::string sample = std::string(CONCUR_TEST_DATA) + "/sample_results.json";

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(report, reads_every_repetition_of_every_cell_and_drops_aggregates) {
  const auto r = load(sample);
  EXPECT_EQ(r.rows.size(), 20u);  // 2 cases x 5 models x 2 repetitions
  for (const auto& x : r.rows) {
    EXPECT_EQ(x.workload, "sleep");
    EXPECT_TRUE(x.case_name == "n10_d1ms" || x.case_name == "n100_d1ms") << x.case_name;
  }
}

TEST(report, keeps_verdicts_oracles_settings_and_counters) {
  const auto r = load(sample);
  int skipped = 0, passed = 0;
  for (const auto& x : r.rows) {
    if (x.verdict == "skipped") {
      ++skipped;
      EXPECT_EQ(x.model, "sequential");
      EXPECT_EQ(x.case_name, "n100_d1ms");
      EXPECT_NE(x.detail.find("exceeds the budget"), std::string::npos);
      EXPECT_FALSE(x.real_s);
    } else {
      ++passed;
      EXPECT_EQ(x.verdict, "pass");
      ASSERT_TRUE(x.real_s && x.efficiency && x.ideal_s && x.process_cpu_s);
      EXPECT_GT(*x.real_s, 0);
      EXPECT_FALSE(x.settings.empty());
      EXPECT_EQ(x.oracle, x.case_name == "n100_d1ms"
                              ? "reference"
                              : (x.model == "sequential" ? "reference" : "sequential"));
    }
  }
  EXPECT_EQ(skipped, 2);
  EXPECT_EQ(passed, 18);
}

TEST(report, csv_has_one_long_format_row_per_repetition) {
  const auto csv = to_csv(load(sample));
  std::istringstream in(csv);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("workload,model,case,repetition,verdict,oracle,real_time_s", 0), 0u)
      << header;
  int rows = 0;
  while (std::getline(in, line)) ++rows;
  EXPECT_EQ(rows, 20);
  EXPECT_NE(csv.find("sleep,executor,n10_d1ms,1,pass,sequential,"), std::string::npos);
  EXPECT_NE(csv.find("sleep,sequential,n100_d1ms,0,skipped,,"), std::string::npos);
  // Settings contain commas: quoted.
  EXPECT_NE(csv.find("\"1 thread, one task after another\""), std::string::npos);
}

TEST(report, markdown_has_a_table_per_workload_and_the_environment) {
  const auto md = to_markdown(load(sample));
  EXPECT_NE(md.find("## sleep"), std::string::npos);
  EXPECT_NE(md.find("| n10_d1ms | sequential |"), std::string::npos);
  EXPECT_NE(md.find("| n10_d1ms | coroutines |"), std::string::npos);
  EXPECT_NE(md.find("| sequential | "), std::string::npos);
  EXPECT_NE(md.find("skipped: ideal time 0.1 s exceeds the budget"), std::string::npos);
  EXPECT_NE(md.find("pass (vs sequential)"), std::string::npos);
  EXPECT_NE(md.find("## Environment"), std::string::npos);
  EXPECT_NE(md.find("| boost_version | 1.81.0 |"), std::string::npos);
  EXPECT_NE(md.find("| executor_pool_threads |"), std::string::npos);
}

TEST(report, speed_up_is_sequential_over_model) {
  results r;
  r.rows.push_back(
      {.workload = "w", .model = "sequential", .case_name = "c", .verdict = "pass", .real_s = 2.0});
  r.rows.push_back(
      {.workload = "w", .model = "threads", .case_name = "c", .verdict = "pass", .real_s = 0.5});
  const auto md = to_markdown(r);
  EXPECT_NE(md.find("| c | threads | 500 ms | 4.00× |"), std::string::npos) << md;
}

TEST(report, compares_models_with_the_external_programs_and_lists_each_cases_settings) {
  const auto doc = nlohmann::json::parse(R"({"benchmarks": [
    {"name": "fetch/coroutines/n1", "run_type": "iteration", "real_time": 100, "time_unit": "ms",
     "label": "oracle=sequential; settings=1 thread", "client_cpu_us_per_req": 9.0},
    {"name": "fetch/wrk/n1/iterations:1/manual_time", "run_type": "iteration", "real_time": 80,
     "time_unit": "ms", "label": "oracle=its own error counts; settings=external program: wrk",
     "client_cpu_us_per_req": 10.0},
    {"name": "fetch/executor/n1", "run_type": "iteration", "real_time": 200, "time_unit": "ms",
     "label": "oracle=sequential; settings=pool of 6"},
    {"name": "fetch/executor/n2", "run_type": "iteration", "real_time": 200, "time_unit": "ms",
     "label": "oracle=sequential; settings=pool of 16"}]})");
  const std::string md = to_markdown(parse(doc));
  EXPECT_NE(md.find("| case | model | vs wrk | CPU/request vs wrk |"), std::string::npos) << md;
  EXPECT_NE(md.find("| n1 | coroutines | 0.80× | 0.90× |"), std::string::npos) << md;
  EXPECT_NE(md.find("| n1 | executor | 0.40× | – |"), std::string::npos) << md;
  EXPECT_EQ(md.find("| n2 | executor | 0."), std::string::npos) << "no wrk on n2\n" << md;
  EXPECT_NE(md.find("- **executor**: pool of 6 (n1); pool of 16 (n2)"), std::string::npos) << md;
}

TEST(vocabulary, every_verdict_kind_reads_back_from_its_name) {
  using vocabulary::verdict_kind;
  for (const auto k : {verdict_kind::pass, verdict_kind::fail, verdict_kind::skipped,
                       verdict_kind::refused, verdict_kind::unsupported, verdict_kind::error})
    EXPECT_EQ(vocabulary::parse_verdict_kind(to_string(k)), k) << to_string(k);
  EXPECT_EQ(to_string(verdict_kind::fail), "FAIL");
  EXPECT_EQ(to_string(verdict_kind::skipped), "skipped");
  EXPECT_FALSE(vocabulary::parse_verdict_kind("fail"));
  EXPECT_FALSE(vocabulary::parse_verdict_kind(""));
}

TEST(vocabulary, a_skip_message_is_the_kind_then_the_detail) {
  using vocabulary::verdict_kind;
  EXPECT_EQ(vocabulary::skip_message(verdict_kind::skipped, "ideal time 0.1 s exceeds the budget"),
            "skipped: ideal time 0.1 s exceeds the budget");
  EXPECT_EQ(vocabulary::skip_message(verdict_kind::fail, "threw: boom"), "FAIL: threw: boom");
  for (const auto k : {verdict_kind::fail, verdict_kind::skipped, verdict_kind::refused,
                       verdict_kind::unsupported}) {
    const auto back = vocabulary::parse_skip_message(vocabulary::skip_message(k, "a: b"));
    EXPECT_EQ(back.kind, k) << to_string(k);
    EXPECT_EQ(back.detail, "a: b") << to_string(k);
  }
}

TEST(vocabulary, a_skip_message_without_a_known_kind_is_an_error_kept_whole) {
  using vocabulary::verdict_kind;
  for (const char* message : {"out of memory", "pass: not a skip", "skipped:no space", ""}) {
    const auto back = vocabulary::parse_skip_message(message);
    EXPECT_EQ(back.kind, verdict_kind::error) << message;
    EXPECT_EQ(back.detail, message);
    EXPECT_EQ(vocabulary::skip_message(back.kind, back.detail), message);
  }
}

TEST(vocabulary, a_models_label_reads_as_before) {
  EXPECT_EQ(vocabulary::make_label({.oracle = "sequential", .settings = "pool of 6"}),
            "oracle=sequential; settings=pool of 6");
  const auto l = vocabulary::parse_label("oracle=sequential; settings=1 thread; one task");
  EXPECT_EQ(l.oracle, "sequential");
  EXPECT_EQ(l.settings, "1 thread; one task");
  EXPECT_FALSE(l.external);
}

TEST(vocabulary, a_label_marks_an_external_program_and_reads_back) {
  const vocabulary::label wrk{.oracle = "its own error counts",
                              .settings = "wrk -t1 -c10; time = its own; settings=odd",
                              .external = true};
  const auto text = vocabulary::make_label(wrk);
  const auto back = vocabulary::parse_label(text);
  EXPECT_EQ(back.oracle, wrk.oracle) << text;
  EXPECT_EQ(back.settings, wrk.settings) << text;
  EXPECT_TRUE(back.external) << text;
}

TEST(vocabulary, an_old_label_marks_an_external_program_by_its_settings) {
  const auto old =
      vocabulary::parse_label("oracle=sequential (record count); settings=external program: find");
  EXPECT_EQ(old.oracle, "sequential (record count)");
  EXPECT_EQ(old.settings, "external program: find");
  EXPECT_TRUE(old.external);
  const auto none = vocabulary::parse_label("not a label");
  EXPECT_TRUE(none.oracle.empty() && none.settings.empty() && !none.external);
}

TEST(vocabulary, counters_of_the_harness_and_of_google_benchmark_are_not_metrics) {
  EXPECT_TRUE(vocabulary::is_workload_metric(vocabulary::counters::client_cpu_us_per_req));
  EXPECT_TRUE(vocabulary::is_workload_metric("bytes_received"));
  for (const auto key : vocabulary::counters::harness)
    EXPECT_FALSE(vocabulary::is_workload_metric(key)) << key;
  for (const auto key : {"real_time", "items_per_second", "error_message", "aggregate_unit"})
    EXPECT_FALSE(vocabulary::is_workload_metric(key)) << key;
}

// The same external program, as an old concur-bench labelled it and as the current one does.
TEST(report, reads_external_programs_from_old_and_new_labels) {
  const auto doc = nlohmann::json::parse(R"({"benchmarks": [
    {"name": "dirsearch/threads/t", "run_type": "iteration", "real_time": 50, "time_unit": "ms",
     "label": "oracle=sequential; settings=4 threads", "ideal_s": 0.01, "files": 7},
    {"name": "dirsearch/find/t", "run_type": "iteration", "real_time": 100, "time_unit": "ms",
     "label": "oracle=sequential (record count); settings=external program: find"},
    {"name": "dirsearch/fd/t", "run_type": "iteration", "real_time": 25, "time_unit": "ms",
     "label": "oracle=sequential (record count); external=yes; settings=fd -j4"}]})");
  const auto r = parse(doc);
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_FALSE(r.rows[0].external);
  EXPECT_TRUE(r.rows[1].external);
  EXPECT_EQ(r.rows[1].settings, "external program: find");
  EXPECT_TRUE(r.rows[2].external);
  EXPECT_EQ(r.rows[2].oracle, "sequential (record count)");
  EXPECT_EQ(r.rows[2].settings, "fd -j4");
  ASSERT_EQ(r.rows[0].metrics.size(), 1u);  // ideal_s is the harness's, files the workload's
  EXPECT_EQ(r.rows[0].metrics[0].first, "files");
  const auto md = to_markdown(r);
  EXPECT_NE(md.find("| case | model | vs find | vs fd |"), std::string::npos) << md;
  EXPECT_NE(md.find("| t | threads | 2.00× | 0.50× |"), std::string::npos) << md;
}

TEST(report, reads_the_verdict_from_the_skip_message) {
  const auto doc = nlohmann::json::parse(R"({"benchmarks": [
    {"name": "w/threads/a", "error_occurred": true, "error_message": "FAIL: threw: boom"},
    {"name": "w/tbb/a", "error_occurred": true, "error_message": "unsupported: no tbb: here"},
    {"name": "w/executor/a", "error_occurred": true, "error_message": "refused: no threads"},
    {"name": "w/coroutines/a", "error_occurred": true, "error_message": "something broke"}]})");
  const auto r = parse(doc);
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0].verdict, "FAIL");
  EXPECT_EQ(r.rows[0].detail, "threw: boom");
  EXPECT_EQ(r.rows[1].verdict, "unsupported");
  EXPECT_EQ(r.rows[1].detail, "no tbb: here");
  EXPECT_EQ(r.rows[2].verdict, "refused");
  EXPECT_EQ(r.rows[3].verdict, "error");
  EXPECT_EQ(r.rows[3].detail, "something broke");
  EXPECT_NE(
      to_markdown(r).find("| a | tbb | – | – | – | – | – | – | – | unsupported: no tbb: here |"),
      std::string::npos);
}

TEST(report, rejects_what_is_not_benchmark_json) {
  EXPECT_THROW(parse(nlohmann::json::parse(R"({"context": {}})")), error);
  EXPECT_THROW(parse(nlohmann::json::parse(
                   R"({"benchmarks": [{"name": "no-slashes", "run_type": "iteration"}]})")),
               error);
  EXPECT_THROW(load("/nonexistent/results.json"), error);
}

TEST(report_cli, writes_csv_markdown_and_plots) {
  temp_dir dir("concur-report");
  const auto r =
      run_command(std::string(CONCUR_CLI) + " report " + sample + " --out " + dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("results.csv"), std::string::npos);
  EXPECT_NE(read(dir.path() / "report.md").find("## sleep"), std::string::npos);
  EXPECT_EQ(read(dir.path() / "results.csv"), to_csv(load(sample)));
}

TEST(report_cli, a_missing_file_is_a_clear_error) {
  const auto r = run_command(std::string(CONCUR_CLI) + " report /nonexistent/results.json");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("/nonexistent/results.json"), std::string::npos) << r.output;
}

TEST(report_cli, malformed_json_is_a_clear_error) {
  temp_dir dir("concur-report");
  const auto bad = dir.path() / "bad.json";
  std::ofstream(bad) << "{\"benchmarks\": [ {\"name\": ";
  const auto r = run_command(std::string(CONCUR_CLI) + " report " + bad.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("is not valid JSON"), std::string::npos) << r.output;

  const auto other = dir.path() / "other.json";
  std::ofstream(other) << "[1, 2, 3]";
  const auto r2 = run_command(std::string(CONCUR_CLI) + " report " + other.string());
  EXPECT_EQ(r2.exit_code, 1);
  EXPECT_NE(r2.output.find("not Google Benchmark JSON"), std::string::npos) << r2.output;
}

TEST(report_cli, unknown_flags_and_subcommands_are_rejected) {
  for (const char* args : {" report --bogus x.json", " frobnicate", ""}) {
    const auto r = run_command(std::string(CONCUR_CLI) + args);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_FALSE(r.output.empty()) << args;
  }
}

// The dirsearch metrics include a count that is 0 in every repetition; Google Benchmark writes its
// coefficient of variation as a bare NaN, which the report must survive.
TEST(report, a_bare_nan_in_benchmark_json_is_absent) {
  temp_dir dir("concur-report");
  const auto path = (dir.path() / "results.json").string();
  std::ofstream(path) << R"({"benchmarks": [
    {"name": "dirsearch/sequential/x/real_time", "run_name": "dirsearch/sequential/x/real_time",
     "run_type": "iteration", "iterations": 2, "real_time": 5.0, "time_unit": "ms", "errors": NaN,
     "entries": 7},
    {"name": "dirsearch/sequential/x/real_time_cv", "run_type": "aggregate", "errors": -nan,
     "real_time": inf}]})";
  const auto r = load(path);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].metrics, (std::vector<std::pair<std::string, double>>{{"entries", 7.0}}));
}

}  // namespace
}  // namespace concur::report
