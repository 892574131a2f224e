// concur report on a JSON recorded from a real concur-bench run, and its error paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/process.hpp"
#include "core/vocabulary.hpp"
#include "report/report.hpp"
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

// The per-case tables of every workload (details/<workload>.md), one after another.
std::string details(const results& r) {
  std::string out;
  for (const auto& d : to_details_markdown(r)) out += d.text;
  return out;
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
  const auto every_case = details(load(sample));
  EXPECT_NE(md.find("## sleep"), std::string::npos);
  EXPECT_NE(md.find("[details/sleep.md](details/sleep.md)"), std::string::npos) << md;
  EXPECT_NE(every_case.find("| n10_d1ms | sequential |"), std::string::npos);
  EXPECT_NE(every_case.find("| n10_d1ms | coroutines |"), std::string::npos);
  EXPECT_NE(md.find("| sequential | "), std::string::npos);
  EXPECT_NE(every_case.find("- skipped (ideal time 0.1 s exceeds the budget"), std::string::npos)
      << every_case;
  EXPECT_NE(every_case.find("pass (vs sequential)"), std::string::npos);
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
  const auto md = details(r);
  // One run each: the ratio, and no interval pretended.
  EXPECT_NE(md.find("| c | threads | 500 ms (1 run: no interval) | 1 | – | 500 ms | 4.00× (1 run: "
                    "no interval) |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| c | sequential | 2 s (1 run: no interval) | 1 | – | 2 s | baseline |"),
            std::string::npos)
      << md;
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
  const std::string md = details(parse(doc));
  EXPECT_NE(md.find("| case | model | vs wrk | CPU/request vs wrk |"), std::string::npos) << md;
  EXPECT_NE(
      md.find("| n1 | coroutines | 0.80× (1 run: no interval) | 0.90× (1 run: no interval) |"),
      std::string::npos)
      << md;
  EXPECT_NE(md.find("| n1 | executor | 0.40× (1 run: no interval) | – |"), std::string::npos) << md;
  EXPECT_EQ(md.find("| n2 | executor | 0."), std::string::npos) << "no wrk on n2\n" << md;
  const std::string settings = to_markdown(parse(doc));
  EXPECT_NE(settings.find("- **executor**: pool of 6\n  - in fetch n2: pool of 16\n"),
            std::string::npos)
      << settings;
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

TEST(vocabulary, a_label_names_the_ladder_of_a_rung_and_reads_back) {
  const vocabulary::label rung{.oracle = "reference",
                               .settings = "pool of 6; ladder=not this",
                               .external = true,
                               .ladder = "URLs at C = 64",
                               .rung = 100'000};
  const auto text = vocabulary::make_label(rung);
  const auto back = vocabulary::parse_label(text);
  EXPECT_EQ(back.oracle, rung.oracle) << text;
  EXPECT_EQ(back.ladder, rung.ladder) << text;
  EXPECT_EQ(back.rung, 100'000) << text;
  EXPECT_EQ(back.settings, rung.settings) << text;
  EXPECT_TRUE(back.external) << text;
  EXPECT_TRUE(vocabulary::parse_label("oracle=x; settings=y").ladder.empty());
  EXPECT_EQ(vocabulary::parse_label("oracle=x; ladder=tasks; settings=y").rung, std::nullopt);
}

TEST(vocabulary, a_python_cells_label_names_its_counterpart_and_reads_back) {
  const vocabulary::label py{.oracle = "sequential",
                             .settings = "py_asyncio; counterpart=not this",
                             .external = true,
                             .ladder = "tasks",
                             .rung = 1000,
                             .counterpart = "coroutines"};
  const auto text = vocabulary::make_label(py);
  const auto back = vocabulary::parse_label(text);
  EXPECT_EQ(back.counterpart, "coroutines") << text;
  EXPECT_EQ(back.oracle, py.oracle) << text;
  EXPECT_EQ(back.settings, py.settings) << text;
  EXPECT_EQ(back.ladder, py.ladder) << text;
  EXPECT_EQ(back.rung, 1000) << text;
  EXPECT_TRUE(back.external) << text;
  // Labels written before the field, and a model's, name none.
  EXPECT_TRUE(vocabulary::parse_label("oracle=x; external=yes; settings=y").counterpart.empty());
  EXPECT_EQ(vocabulary::make_label({.oracle = "x", .settings = "y"}), "oracle=x; settings=y");
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

// The model order is the context's when concur-bench wrote it; an older file's is the models as
// its matrix first lists them (by family_index, however the rounds shuffled the runs), without
// the external programs and the course's Python cells.
TEST(report_model_order, from_the_context_else_by_the_matrix_order_of_an_older_file) {
  const auto run = [](const std::string& name, long long family, const std::string& label) {
    return nlohmann::json{{"name", name + "/real_time"}, {"run_type", "iteration"},
                          {"family_index", family},      {"real_time", 1.0},
                          {"time_unit", "ms"},           {"label", label}};
  };
  const auto external = vocabulary::make_label({.oracle = "o", .settings = "s", .external = true});
  const auto model = vocabulary::make_label({.oracle = "o", .settings = "s"});
  const nlohmann::json benchmarks = {run("w/wrk/a", 4, external),  run("w/py-threads/a", 3, model),
                                     run("w/threads/a", 1, model), run("w/sequential/a", 0, model),
                                     run("v/fibers/a", 5, model),  run("w/tbb/a", 2, model)};
  const auto older = parse({{"benchmarks", benchmarks}});
  EXPECT_EQ(older.model_order,
            (std::vector<std::string>{"sequential", "threads", "tbb", "fibers"}));
  const auto py = std::find_if(older.rows.begin(), older.rows.end(),
                               [](const row& r) { return r.model == "py-threads"; });
  ASSERT_NE(py, older.rows.end());
  EXPECT_EQ(py->counterpart, "threads");  // the pair older binaries wrote

  const auto newer =
      parse({{"context",
              {{std::string(vocabulary::context::model_order), "sequential,threads,executor"}}},
             {"benchmarks", benchmarks}});
  EXPECT_EQ(newer.model_order, (std::vector<std::string>{"sequential", "threads", "executor"}));
  for (const auto& r : newer.rows) EXPECT_TRUE(r.counterpart.empty()) << r.model;
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
  const auto md = details(r);
  EXPECT_NE(md.find("| case | model | vs find | vs fd |"), std::string::npos) << md;
  EXPECT_NE(md.find("| t | threads | 2.00× (1 run: no interval) | 0.50× (1 run: no interval) |"),
            std::string::npos)
      << md;
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
  EXPECT_NE(details(r).find("- unsupported (no tbb: here): tbb a\n"), std::string::npos)
      << details(r);
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

// ---- Uncertainty, noise and calibration ----

// A cell "w/MODEL/c" timed once per repetition index, from first_index on.
void add_runs(results& r, const std::string& model, const std::vector<double>& times_s,
              int first_index = 0) {
  for (std::size_t i = 0; i < times_s.size(); ++i)
    r.rows.push_back({.workload = "w",
                      .model = model,
                      .case_name = "c",
                      .repetition = first_index + static_cast<int>(i),
                      .verdict = "pass",
                      .oracle = "sequential",
                      .real_s = times_s[i],
                      .ideal_s = 0.001});
}

std::vector<double> ms(std::initializer_list<double> values) {
  std::vector<double> out;
  for (double v : values) out.push_back(v / 1000);
  return out;
}

// The line of a table that starts with `start`, or "" (with the whole text in the failure).
std::string line_starting(const std::string& md, const std::string& start) {
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(start, 0) == 0) return line;
  ADD_FAILURE() << "no line starting with \"" << start << "\" in\n" << md;
  return "";
}

// n = 10: the largest symmetric pair with binomial coverage >= 95 % is [x(2), x(9)] (97.85 %;
// [x(3), x(8)] covers only 89.06 %). The sample is 1..10 ms, listed out of order.
TEST(report_stats, a_cells_median_gets_the_exact_order_statistic_interval) {
  results r;
  add_runs(r, "threads", ms({7, 3, 10, 1, 5, 9, 2, 8, 4, 6}));
  const auto md = details(r);
  const auto line = line_starting(md, "| c | threads |");
  EXPECT_EQ(line.rfind("| c | threads | 5.50 ms [2.00–9.00 ms] | 10 | 55.0 % ⚠ | 1 ms |", 0), 0u)
      << line;
  EXPECT_EQ(line.find("†"), std::string::npos) << "a full 95 % interval has no mark: " << line;
  // Efficiency is the ideal (1 ms) over the time, the interval the time's inverted.
  EXPECT_NE(line.find("| 0.18 [0.11–0.50] |"), std::string::npos) << line;

  const auto csv = to_cells_csv(r);
  EXPECT_NE(csv.find("w,threads,c,pass,10,0.0055,0.002,0.009,0.978515625,0.001,0.01,"),
            std::string::npos)
      << csv;
}

// Three runs cannot give a 95 % interval: [min, max] covers 1 - 2 / 2^3 = 75 %, and says so.
TEST(report_stats, too_few_runs_show_the_intervals_actual_coverage) {
  results r;
  add_runs(r, "threads", ms({10, 12, 11}));
  const auto line = line_starting(details(r), "| c | threads |");
  EXPECT_EQ(line.rfind("| c | threads | 11.0 ms [10.0–12.0 ms] †75 % | 3 |", 0), 0u) << line;
}

// Per-round ratios 100/98 .. 100/102: their [min, max] (96.9 % at n = 6) contains 1.
TEST(report_stats, a_paired_speed_up_whose_interval_contains_1_resolves_no_difference) {
  results r;
  add_runs(r, "sequential", ms({100, 100, 100, 100, 100, 100}));
  add_runs(r, "threads", ms({98, 99, 101, 102, 100.5, 99.5}));
  const auto line = line_starting(details(r), "| c | threads |");
  EXPECT_NE(line.find("| no difference resolved [0.98–1.02] |"), std::string::npos) << line;
  EXPECT_EQ(line.find("×"), std::string::npos) << "no winner named: " << line;
  EXPECT_NE(to_cells_csv(r).find(",paired,no\n"), std::string::npos) << to_cells_csv(r);
}

TEST(report_stats, a_clear_paired_speed_up_prints_its_interval) {
  results r;
  add_runs(r, "sequential", ms({200, 210, 190, 205, 195, 200}));
  add_runs(r, "threads", ms({50, 52, 48, 51, 49, 50}));
  // Ratios 4, 4.04, 3.96, 4.02, 3.98, 4: median 4.00, [min, max] = [3.958, 4.038].
  const auto line = line_starting(details(r), "| c | threads |");
  EXPECT_NE(line.find("| 4.00× [3.96–4.04] |"), std::string::npos) << line;
  EXPECT_NE(to_cells_csv(r).find(",paired,yes\n"), std::string::npos) << to_cells_csv(r);
}

// Drift that hits both cells of a round cancels in the per-round ratio: every round's ratio is
// exactly 2 although each cell's own times vary threefold. Unpaired, the same numbers would
// overlap and resolve nothing.
TEST(report_stats, pairing_is_by_repetition_index_not_by_position) {
  results r;
  add_runs(r, "sequential", ms({100, 200, 300, 150, 250, 120}));
  auto threads = ms({50, 100, 150, 75, 125, 60});
  add_runs(r, "threads", threads);
  std::reverse(r.rows.end() - 6, r.rows.end());  // the file lists them in another order
  const auto line = line_starting(details(r), "| c | threads |");
  EXPECT_NE(line.find("| 2.00× [2.00–2.00] |"), std::string::npos) << line;
}

// A cell that stopped after fewer rounds pairs over the rounds both ran in; cells whose indexes
// do not match up fall back to the bootstrap, marked.
TEST(report_stats, a_subset_of_rounds_pairs_and_unmatched_indexes_bootstrap) {
  results paired;
  add_runs(paired, "sequential", ms({100, 101, 99, 100, 102, 98, 100, 101, 99, 100}));
  add_runs(paired, "threads", ms({50, 50, 50, 50, 50, 50}));
  const auto a = line_starting(details(paired), "| c | threads |");
  EXPECT_NE(a.find("| 2.00× [1.96–2.04] |"), std::string::npos) << a;

  results unpaired;
  add_runs(unpaired, "sequential", ms({100, 101, 99, 100, 102, 98}));
  add_runs(unpaired, "threads", ms({50, 50, 50, 50, 50, 50}), 10);
  const auto b = line_starting(details(unpaired), "| c | threads |");
  EXPECT_NE(b.find("ᵇ"), std::string::npos) << b;
  EXPECT_NE(to_cells_csv(unpaired).find(",bootstrap,yes\n"), std::string::npos);
}

TEST(report_stats, a_cell_with_a_cv_above_5_percent_is_flagged) {
  results r;
  add_runs(r, "sequential", ms({100, 101, 99}));
  add_runs(r, "threads", ms({100, 130, 70}));  // CV 30 %
  const auto md = to_markdown(r);
  const auto every_case = details(r);
  EXPECT_NE(line_starting(every_case, "| c | threads |").find("| 30.0 % ⚠ |"), std::string::npos)
      << every_case;
  EXPECT_NE(line_starting(every_case, "| c | sequential |").find("| 1.0 % |"), std::string::npos)
      << every_case;
  EXPECT_EQ(line_starting(md, "| threads |"), "| threads | 100 ms ⚠ |");
  EXPECT_NE(md.find("⚠ CV above 5 %"), std::string::npos) << "the legend\n" << md;
  EXPECT_NE(md.find("1 of 2 cells timed more than once have a CV above 5.0 %"), std::string::npos)
      << md;
}

// With a noise floor, ⚠ means noisier than the machine: above twice the floor's robust CV when
// that is over 5 %. A floor of 100, 120, 80 ms (robust CV 29.7 %) puts the mark above 59.3 %: a
// 30 % cell is as noisy as the machine, not more.
TEST(report_stats, the_mark_follows_the_machines_noise_floor) {
  results r;
  add_runs(r, "sequential", ms({100, 101, 99}));
  add_runs(r, "threads", ms({100, 130, 70}));  // CV 30 %
  r.context.emplace_back(vocabulary::context::noise_floor_runs_s, "0.1;0.12;0.08");
  r.context.emplace_back(vocabulary::context::noise_floor_loop, "30 passes");
  const auto md = to_markdown(r);
  EXPECT_NE(line_starting(details(r), "| c | threads |").find("| 30.0 % |"), std::string::npos)
      << details(r);
  EXPECT_NE(md.find("Noise floor: a fixed loop timed once per round varied by 29.7 % (robust CV, "
                    "1.4826 × MAD / median; CV 20.0 %). 0 of 2 cells timed more than once have a "
                    "CV above 59.3 % (twice the floor, or 5 %)."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("⚠ CV above 59.3 %, twice the machine's noise floor (29.7 %, the robust CV"),
            std::string::npos)
      << md;

  // A quiet floor leaves the mark at 5 %.
  r.context.clear();
  r.context.emplace_back(vocabulary::context::noise_floor_runs_s, "0.1;0.1001;0.0999");
  EXPECT_NE(line_starting(details(r), "| c | threads |").find("| 30.0 % ⚠ |"), std::string::npos);

  // So does a quiet floor with one stalled round: the machine's hiccup is not its noise.
  r.context.clear();
  r.context.emplace_back(vocabulary::context::noise_floor_runs_s, "0.1;0.1001;0.0999;0.1;0.2");
  EXPECT_NE(line_starting(details(r), "| c | threads |").find("| 30.0 % ⚠ |"), std::string::npos);
}

// A context as concur-bench writes it (core/machine.hpp's keys).
results with_machine_state(bool busy) {
  results r;
  add_runs(r, "sequential", ms({100, 101, 99}));
  r.context = {{"noise_busy", busy ? "true" : "false"},
               {"noise_busy_reasons", busy ? "steal 12.00 % (limit 5 %)" : ""},
               {"noise_load_before", "0.10"},
               {"noise_load_after", "0.40"},
               {"noise_steal_pct", busy ? "12.00" : "0.00"},
               {"noise_iowait_pct", "0.50"},
               {"noise_interval_s", "480.00"},
               {"noise_others_cores", "0.05"},
               {"noise_top_processes", "sshd (pid 7) 0.01 cores"},
               {"machine_cores", "2"},
               {"machine_swap_used_kib", "2048"},
               {"calibration_page_fault_ns", "2648.1"},
               {"calibration_syscall_ns", "174.6"},
               {"calibration_thread_create_join_ns", "21211.9"},
               {"calibration_context_switch_ns", "not measured"},
               {"calibration_virtualization", "KVM (hypervisor flag)"}};
  return r;
}

TEST(report_machine, a_busy_machine_is_the_first_thing_the_report_says) {
  const auto md = to_markdown(with_machine_state(true));
  EXPECT_EQ(md.rfind("# concur benchmark report\n\n> **Warning: the machine was busy during this "
                     "run** (steal 12.00 % (limit 5 %)). Figures below may be inflated and "
                     "noisy.\n\nContents: [Summary",
                     0),
            0u)
      << md;
  EXPECT_NE(md.find("| state | **busy**: steal 12.00 % (limit 5 %) |"), std::string::npos) << md;
  EXPECT_NE(md.find("| load average (1 min) | 0.10 at the start, 0.40 at the end, on 2 CPUs |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| steal (the hypervisor) | 12.00 % of all CPU time over 480.00 s |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("busiest: sshd (pid 7) 0.01 cores |"), std::string::npos) << md;
  EXPECT_NE(md.find("| swap in use | 2 MiB |"), std::string::npos) << md;
}

TEST(report_machine, a_quiet_machine_is_stated_without_a_warning) {
  const auto md = to_markdown(with_machine_state(false));
  EXPECT_EQ(md.find("Warning"), std::string::npos) << md;
  EXPECT_NE(md.find("| state | **quiet** |"), std::string::npos) << md;
}

TEST(report_machine, calibration_is_in_readable_units_before_the_environment) {
  const auto md = to_markdown(with_machine_state(false));
  const auto at = md.find("## Machine calibration");
  ASSERT_NE(at, std::string::npos) << md;
  EXPECT_LT(at, md.find("## Environment"));
  EXPECT_NE(md.find("| minor page fault (first touch of a fresh 4 KiB page) | 2.65 µs |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| system call (getppid) | 175 ns |"), std::string::npos) << md;
  EXPECT_NE(md.find("| thread create + join | 21.2 µs |"), std::string::npos) << md;
  EXPECT_NE(md.find("one way) | not measured |"), std::string::npos) << md;
  EXPECT_NE(md.find("Virtualization: KVM (hypervisor flag)."), std::string::npos) << md;
}

// What the bench learns after the run may come in an object of its own beside the context; it
// describes the whole run, so it wins over a context value of the same name.
TEST(report_machine, the_after_object_is_read_and_wins_over_the_context) {
  const auto doc = nlohmann::json::parse(R"({
    "context": {"noise_busy": "false", "machine_cores": "2"},
    "concur_after": {"noise_busy": "true", "noise_busy_reasons": "load 3.1"},
    "benchmarks": [{"name": "w/sequential/c", "run_type": "iteration", "real_time": 1,
                    "time_unit": "ms", "label": "oracle=reference; settings=1 thread"}]})");
  const auto r = parse(doc);
  EXPECT_EQ(r.value("noise_busy"), "true");
  EXPECT_EQ(r.value("machine_cores"), "2");
  EXPECT_FALSE(r.value("absent"));
  const auto md = to_markdown(r);
  EXPECT_NE(md.find("> **Warning: the machine was busy during this run** (load 3.1)"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| noise_busy (after the run) | true |"), std::string::npos) << md;
}

TEST(report_machine, interleaved_rounds_and_the_test_hook_are_reported) {
  auto r = with_machine_state(false);
  r.context.emplace_back(vocabulary::context::rounds_seed, "42");
  r.context.emplace_back(vocabulary::context::rounds_rule, "the rule");
  r.context.emplace_back(vocabulary::context::test_slowdown, "coroutines:1.10");
  const auto md = to_markdown(r);
  EXPECT_NE(md.find("interleaved rounds (the repetition index is the round)"), std::string::npos)
      << md;
  EXPECT_NE(md.find("Schedule: the rule. Seed 42 (`concur-bench --seed=42`"), std::string::npos)
      << md;
  EXPECT_NE(md.find("> **Warning: a model was slowed down on purpose** "
                    "(CONCUR_TEST_SLOWDOWN=coroutines:1.10"),
            std::string::npos)
      << md;
  EXPECT_NE(to_csv(r).find(",rounds\n"), std::string::npos);
  EXPECT_EQ(to_markdown(with_machine_state(false)).find("slowed down"), std::string::npos);
}

TEST(report_machine, the_allocator_is_named_under_the_machine) {
  auto r = with_machine_state(false);
  r.context.emplace_back(vocabulary::context::allocator, "mimalloc");
  r.context.emplace_back(vocabulary::context::allocator_library, "/usr/lib/libmimalloc.so.2");
  EXPECT_NE(to_markdown(r).find("Memory allocator: **mimalloc** (`/usr/lib/libmimalloc.so.2`)"),
            std::string::npos);
  EXPECT_NE(to_markdown(r).find("mimalloc keeps pages an earlier run freed committed"),
            std::string::npos);
  EXPECT_EQ(to_markdown(with_machine_state(false)).find("Memory allocator"), std::string::npos);
}

// The rounds shuffle the runs in the file; the report keeps the matrix's order of the models.
TEST(report, models_and_cases_follow_the_matrix_not_the_files_order) {
  results r;
  add_runs(r, "tbb", ms({1}));
  add_runs(r, "sequential", ms({2}));
  r.rows[0].family_index = 4;
  r.rows[1].family_index = 0;
  const auto md = to_markdown(r);
  EXPECT_LT(md.find("| sequential | 2 ms |"), md.find("| tbb | 1 ms |")) << md;
  // A workload whose first run in the file is later in the matrix comes after the other.
  add_runs(r, "tbb", ms({3}));
  r.rows.back().workload = "v";
  r.rows.back().family_index = 9;
  std::swap(r.rows.front(), r.rows.back());
  const auto shuffled = to_markdown(r);
  EXPECT_LT(shuffled.find("## w\n"), shuffled.find("## v\n")) << shuffled;
}

// A file from before the noise probes, the rounds and the calibration still renders every section
// and says what it lacks.
TEST(report, an_old_file_renders_every_section_and_says_what_it_lacks) {
  const auto md = to_markdown(load(sample));
  // Its cases carry no size ladder (older labels): no "largest rung" line.
  for (const char* section :
       {"## Summary", "## Machine during the run", "## How to read the figures", "## sleep",
        "## Settings", "## Machine calibration", "## Environment"})
    EXPECT_NE(md.find(section), std::string::npos) << section;
  EXPECT_NE(md.find("This run recorded no machine state"), std::string::npos) << md;
  EXPECT_NE(md.find("Load average at the start (1, 5, 15 min): 2.90, 1.23, 0.47 on 2 CPUs: above "
                    "0.3 per CPU"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("This run recorded no calibration probes"), std::string::npos) << md;
  EXPECT_NE(md.find("ran back to back"), std::string::npos) << md;
  EXPECT_EQ(md.find("Warning"), std::string::npos) << md;
  // Two repetitions: [min, max] covers 50 %, and the speed-up is paired by repetition index.
  EXPECT_NE(line_starting(details(load(sample)), "| n10_d1ms | threads |")
                .find("| 7.53× [7.53–7.54] †50 % |"),
            std::string::npos);
  EXPECT_NE(to_csv(load(sample)).find(",back_to_back\n"), std::string::npos);
}

TEST(report_cli, writes_the_cells_csv_beside_the_long_one) {
  temp_dir dir("concur-report");
  const auto r =
      run_command(std::string(CONCUR_CLI) + " report " + sample + " --out " + dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto cells = read(dir.path() / "cells.csv");
  EXPECT_EQ(cells, to_cells_csv(load(sample)));
  EXPECT_EQ(cells.rfind("workload,model,case,verdict,n,median_s,ci_low_s,ci_high_s,", 0), 0u);
  EXPECT_NE(cells.find("sleep,sequential,n100_d1ms,skipped,,"), std::string::npos) << cells;
}

}  // namespace
}  // namespace concur::report

namespace concur::report {
namespace {

// gnuplot is run without a shell and its script quotes the paths, so an output directory whose
// name holds a quote still gets its plots.
TEST(report, plots_land_in_a_directory_whose_name_holds_a_quote) {
  if (!process::find_program("gnuplot")) GTEST_SKIP() << "gnuplot is not installed";
  testing::temp_dir dir("concur-report");
  const auto out = dir.path() / "it's here";
  const auto written =
      write_all(load(std::string(CONCUR_TEST_DATA) + "/sample_results.json"), out.string());
  EXPECT_TRUE(std::any_of(written.begin(), written.end(),
                          [](const std::string& p) { return p.ends_with(".png"); }));
  EXPECT_TRUE(std::filesystem::exists(out / "plots" / "sleep.png"));
}

}  // namespace
}  // namespace concur::report
