// wrk as a baseline: its output read and its failures named, its bench cells verified and doing
// the work of their case, concur wrk alternating with a model, every target requested.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/nginx.hpp"
#include "report/report.hpp"
#include "tests/support.hpp"
#include "workloads/http/server.hpp"
#include "workloads/http/wrk.hpp"

namespace concur {
namespace {

using testing::run_command;
using testing::temp_dir;

TEST(wrk, reads_its_output_and_names_what_went_wrong) {
  const auto good = http::parse_wrk_output(
      "Running 1s test @ http://127.0.0.1:8080/1.html\n  1 threads and 64 connections\n"
      "  98765 requests in 1.00s, 70.00MB read\nRequests/sec:  98765.43\nTransfer/sec:  70.00MB\n");
  EXPECT_EQ(good.requests, 98765);
  EXPECT_DOUBLE_EQ(good.requests_per_second, 98765.43);
  EXPECT_EQ(good.problem(), "");

  const auto bad = http::parse_wrk_output(
      "  1200 requests in 1.00s, 1.00MB read\n"
      "  Socket errors: connect 0, read 3, write 1, timeout 2\n"
      "  Non-2xx or 3xx responses: 17\nRequests/sec:   1200.00\n");
  EXPECT_EQ(bad.socket_errors, 6u);
  EXPECT_EQ(bad.non_2xx, 17u);
  EXPECT_NE(bad.problem().find("6 socket errors"), std::string::npos) << bad.problem();

  const auto only_500s = http::parse_wrk_output(
      "  10 requests in 1.00s\n  Non-2xx or 3xx responses: 10\n"
      "Requests/sec: 10.00\n");
  EXPECT_NE(only_500s.problem().find("10 answers"), std::string::npos) << only_500s.problem();
  EXPECT_THROW(http::parse_wrk_output("something else"), std::runtime_error);
}

TEST(wrk, a_refused_connection_is_an_error_with_wrks_own_words) {
  if (!http::wrk_binary()) GTEST_SKIP() << "wrk is not installed (Debian package wrk)";
  try {
    http::run_wrk({.url = "http://127.0.0.1:1/", .connections = 2});
    FAIL() << "wrk against a closed port did not fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("Connection refused"), std::string::npos) << e.what();
  }
}

TEST(wrk, its_bench_cells_are_verified_and_do_the_work_of_their_case) {
  if (!http::wrk_binary()) GTEST_SKIP() << "wrk is not installed (Debian package wrk)";
  temp_dir dir("concur-bench");
  const auto json = (dir.path() / "out.json").string();
  // Every page in turn (its Lua script) for n10000_c64 (--sweep's); the one page for the
  // one-page case, which exists where nginx is installed.
  const auto r =
      run_command(std::string(CONCUR_BENCH) +
                  " --benchmark_filter='^fetch/wrk/(n10000_c64|nginx_page1_n10000_c64)/' "
                  "--sweep --quick --benchmark_out=" +
                  json);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto results = report::load(json);
  const std::map<std::string, std::string> how{{"n10000_c64", "every page in turn"},
                                               {"nginx_page1_n10000_c64", "the case's one page"}};
  ASSERT_EQ(results.rows.size(), net::nginx_server::binary() ? 2u : 1u);
  for (const auto& row : results.rows) {
    SCOPED_TRACE(row.case_name);
    EXPECT_EQ(row.model, "wrk");
    EXPECT_EQ(row.verdict, "pass") << row.detail;
    ASSERT_TRUE(how.contains(row.case_name));
    EXPECT_NE(row.settings.find(how.at(row.case_name)), std::string::npos) << row.settings;
    EXPECT_TRUE(row.items_per_second && *row.items_per_second > 0);
    // The time stands for the case's 10,000 requests at wrk's rate.
    ASSERT_TRUE(row.real_s);
    EXPECT_NEAR(*row.real_s * *row.items_per_second, 10'000, 1);
    const auto cpu = std::find_if(row.metrics.begin(), row.metrics.end(),
                                  [](const auto& m) { return m.first == "client_cpu_us_per_req"; });
    ASSERT_NE(cpu, row.metrics.end());
    EXPECT_GT(cpu->second, 0);
  }
}

TEST(wrk, alternates_with_a_model_on_the_same_work_and_gives_the_paired_ratios) {
  if (!http::wrk_binary()) GTEST_SKIP() << "wrk is not installed (Debian package wrk)";
  const auto r =
      run_command(std::string(CONCUR_CLI) +
                  " wrk --against coroutines --every-page --rounds 2 -d 1 -c 8 -n 12000 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* expected :
       {"(12000 requests, C = 8), alternating, on every page in turn of the embedded server",
        "round 1: wrk ", "round 2: wrk ", "(server ", "median of 2 rounds: coroutines at ",
        "the server spent "})
    EXPECT_NE(r.output.find(expected), std::string::npos) << expected << "\n" << r.output;
  // The medians are measured ratios: positive and finite (the embedded server's threads give
  // its CPU), whatever this machine's load makes of them.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      r.output, m,
      std::regex(R"(coroutines at ([0-9.]+)x wrk's requests/s, ([0-9.]+)x its CPU per request; )"
                 R"(the server spent ([0-9.]+)x)")))
      << r.output;
  for (int i = 1; i <= 3; ++i) EXPECT_GT(std::stod(m[i]), 0.0) << m[0];
  const auto bad = run_command(std::string(CONCUR_CLI) + " wrk --against nosuchmodel 2>&1");
  EXPECT_EQ(bad.exit_code, 2);  // a usage error, found before anything starts
  EXPECT_NE(bad.output.find("--against: nosuchmodel not in"), std::string::npos) << bad.output;
}

TEST(wrk, requests_every_target_it_is_given) {
  if (!http::wrk_binary()) GTEST_SKIP() << "wrk is not installed (Debian package wrk)";
  // Against the embedded server: every page answers 200, and a target that is not a page 404,
  // which fails the run.
  const http::site_spec spec{.pages = 50, .fanout = 3, .seed = 9, .body_bytes = 64};
  http::site_server server(spec);
  std::vector<std::string> targets;
  for (std::size_t i = 0; i < spec.pages; ++i) targets.push_back("/page/" + std::to_string(i));
  const auto ok = http::run_wrk({.url = server.url_of(0), .connections = 4, .targets = targets});
  EXPECT_EQ(ok.problem(), "");
  targets.push_back("/no/such/page");
  const auto with_404 =
      http::run_wrk({.url = server.url_of(0), .connections = 4, .targets = targets});
  EXPECT_GT(with_404.non_2xx, 0u);
  EXPECT_NE(with_404.problem().find("not 2xx"), std::string::npos) << with_404.problem();
}

}  // namespace
}  // namespace concur
