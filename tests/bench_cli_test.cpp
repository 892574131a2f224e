// concur-bench end to end: list, verify-only, a short timed run whose JSON the report reads.
#include <gtest/gtest.h>

#include "core/report.hpp"
#include "models/models.hpp"
#include "tests/support.hpp"

namespace {

using concur::testing::run_command;
using concur::testing::temp_dir;

const std::string bench = CONCUR_BENCH;

TEST(bench_cli, lists_cells_with_settings_and_skip_reasons) {
  const auto r = run_command(bench + " --list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("sleep/coroutines/n1000000_d100ms"), std::string::npos);
  EXPECT_NE(r.output.find("sleep/sequential/n1000_d100ms"), std::string::npos);
  EXPECT_NE(r.output.find("exceeds the budget"), std::string::npos);
  EXPECT_EQ(r.output.find("n10_d1ms"), std::string::npos)
      << "test cases are listed only with --all-cases";
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

TEST(bench_cli, a_timed_run_writes_json_the_report_reads) {
  temp_dir dir("concur-bench");
  const auto json = (dir.path() / "out.json").string();
  const auto r =
      run_command(bench + " --all-cases --benchmark_filter=n10_d1ms --benchmark_min_time=0.01" +
                  " --benchmark_out_format=json --benchmark_out=" + json);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto results = concur::report::load(json);
  ASSERT_EQ(results.rows.size(), concur::size(concur::models::all{}));
  for (const auto& row : results.rows) {
    EXPECT_EQ(row.verdict, "pass") << row.model << ": " << row.detail;
    EXPECT_TRUE(row.efficiency && *row.efficiency > 0) << row.model;
  }
}

TEST(bench_cli, rejects_unknown_flags_and_bad_values) {
  EXPECT_NE(run_command(bench + " --benchmark_bogus=1").exit_code, 0);
  EXPECT_NE(run_command(bench + " --budget=-3").exit_code, 0);
}

}  // namespace
