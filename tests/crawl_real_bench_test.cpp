// The bench's real-site crawl (crawl/*/python_docs_d2_c64): Python's documentation from Debian's
// python3.11-doc, served by nginx, crawled by every model and by wget, whose URL set audits the
// models' oracle and checks wget's own timed runs. Skipped with the reason when nginx, wget or
// the package is missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <any>
#include <fstream>
#include <string>
#include <vector>

#include "bench/matrix.hpp"
#include "core/process.hpp"
#include "core/vocabulary.hpp"
#include "net/nginx.hpp"
#include "tests/support.hpp"
#include "workloads/http/http.hpp"

namespace concur::bench {
namespace {

constexpr const char* real_case = "python_docs_d2_c64";

const http::crawl_params& real_params() {
  static const http::crawl_params p = [] {
    for (const auto& c : http::crawl_workload::cases())
      if (c.name == real_case) return c.params;
    throw std::runtime_error("no real-site crawl case");
  }();
  return p;
}

std::vector<cell> real_cells() {
  std::vector<cell> out;
  for (auto& c : make_cells({.kinds = {case_kind::bench}}))
    if (c.workload == "crawl" && c.case_name == real_case) out.push_back(std::move(c));
  return out;
}

const cell& cell_of(const std::vector<cell>& cells, const std::string& program) {
  const auto it =
      std::find_if(cells.begin(), cells.end(), [&](const cell& c) { return c.model == program; });
  if (it == cells.end()) throw std::runtime_error("no cell crawl/" + program + "/" + real_case);
  return *it;
}

// Why the case cannot run here (nginx, wget or the package missing); empty when it can.
std::string missing_here() {
  return http::unavailable(*real_params().real);
}

TEST(real_site_crawl, is_a_bench_case_of_every_model_with_wget_and_the_course_python_beside) {
  const auto cells = real_cells();
  for (const char* program : {"sequential", "threads", "coroutines", "wget", "py-asyncio"}) {
    const cell& c = cell_of(cells, program);
    EXPECT_EQ(c.kind, case_kind::bench) << c.name();
  }
  const cell& wget = cell_of(cells, "wget");
  EXPECT_TRUE(wget.external);
  EXPECT_NE(wget.settings.find("--recursive --level=2 --spider"), std::string::npos)
      << wget.settings;
}

TEST(real_site_crawl, is_skipped_with_the_reason_when_the_package_is_missing) {
  const http::real_site absent{.package = "no-such-doc",
                               .directory = "/nonexistent/concur/html",
                               .root_page = "/index.html",
                               .pages = 1};
  const auto why = http::unavailable(absent);
  if (net::nginx_server::binary() && process::find_program("wget"))
    EXPECT_EQ(why,
              "/nonexistent/concur/html/index.html is missing (scripts/optional-packages: "
              "no-such-doc)");
  else
    EXPECT_NE(why.find("is not installed (scripts/optional-packages"), std::string::npos) << why;
  EXPECT_EQ(http::wget_baseline(absent, 2).unavailable, why);

  // The bench's own case says the same of its package, on every cell, when it is missing here.
  // (The course's Python cells may be missing their own packages, and say so first.)
  const auto reason = missing_here();
  for (const auto& c : real_cells()) {
    if (reason.empty()) break;
    if (!c.counterpart.empty()) continue;
    EXPECT_EQ(c.skip_reason, reason) << c.name();
    const verdict v = c.verify();
    EXPECT_NE(v.kind, verdict_kind::pass) << c.name();
    EXPECT_EQ(v.detail, reason) << c.name();
  }
}

TEST(real_site_crawl, every_model_and_wget_visit_the_urls_wget_requests) {
  if (const auto why = missing_here(); !why.empty()) GTEST_SKIP() << why;
  const auto cells = real_cells();
  // The sequential result is audited by wget's URL set; the others answer to it.
  const verdict audited = cell_of(cells, "sequential").verify();
  EXPECT_EQ(audited.kind, verdict_kind::pass) << audited.detail;
  EXPECT_EQ(audited.oracle, "wget's URL set (python3.11-doc)");
  for (const char* program : {"coroutines", "threads", "wget"}) {
    const verdict v = cell_of(cells, program).verify();
    EXPECT_EQ(v.kind, verdict_kind::pass) << program << ": " << v.detail;
    EXPECT_TRUE(v.oracle.starts_with("sequential")) << program << ": " << v.oracle;
  }
  // wget's memory is its process's peak resident set (a few MB; 13 MB on this site here).
  const cell& wget = cell_of(cells, "wget");
  const auto measured = wget.metrics(wget.run());
  ASSERT_EQ(measured.size(), 1u);
  EXPECT_EQ(measured[0].first, vocabulary::counters::program_peak_rss);
  EXPECT_GT(measured[0].second, 1024 * 1024.0);
  EXPECT_LT(measured[0].second, 1024 * 1024 * 1024.0);
  // The case's items are the pages a crawl visits: the figure it declares is wget's count here
  // (a new version of the package may move it: update python_docs() in http.cpp).
  const auto& urls = http::wget_urls(*real_params().real, real_params().depth);
  EXPECT_EQ(urls.size(), real_params().real->pages);
}

TEST(real_site_crawl, a_crawl_that_misses_a_page_fails_against_wgets_urls_readably) {
  if (testing::built_with_tsan) GTEST_SKIP() << testing::one_thread_under_tsan;
  if (const auto why = missing_here(); !why.empty()) GTEST_SKIP() << why;
  const auto cells = real_cells();
  const cell& sequential = cell_of(cells, "sequential");
  auto result = std::any_cast<http::crawl_result>(sequential.run());
  ASSERT_EQ(sequential.check(result).kind, verdict_kind::pass);
  const auto dropped = result.visited.back().url;
  result.visited.pop_back();
  const verdict v = sequential.check(result);
  EXPECT_EQ(v.kind, verdict_kind::fail);
  EXPECT_NE(v.detail.find("differs from wget's URL set (python3.11-doc)"), std::string::npos)
      << v.detail;
  EXPECT_NE(v.detail.find("URLs wget requested: 1 missing: " + dropped), std::string::npos)
      << v.detail;
}

TEST(real_site_crawl, a_wget_run_that_names_another_url_fails_readably) {
  if (testing::built_with_tsan) GTEST_SKIP() << testing::one_thread_under_tsan;
  if (const auto why = missing_here(); !why.empty()) GTEST_SKIP() << why;
  const auto cells = real_cells();
  const cell& wget = cell_of(cells, "wget");
  ASSERT_EQ(wget.verify().kind, verdict_kind::pass);
  std::ofstream(http::wget_timed_log(), std::ios::app)
      << "http://127.0.0.1:9/not-on-the-site.html:\nRemote file does not exist -- broken link!!!\n";
  const verdict v = wget.check(std::any{});
  EXPECT_EQ(v.kind, verdict_kind::fail);
  EXPECT_NE(v.detail.find("records: 1 unexpected: http://127.0.0.1:9/not-on-the-site.html"),
            std::string::npos)
      << v.detail;
}

}  // namespace
}  // namespace concur::bench
