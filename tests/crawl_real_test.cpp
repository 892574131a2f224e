// A real site nobody here wrote: the HTML documentation Debian's libxslt1-dev installs, served by
// nginx, crawled to depth 3 in every model. The URLs visited must be those Debian's wget requests
// for the same crawl, read from its log, under the differences README.md documents: wget is told
// to follow only <a> and <area> (--follow-tags=a,area: its default also takes <img>, <link>,
// <script>, ...) and not to read robots.txt (-e robots=off).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "core/process.hpp"
#include "net/nginx.hpp"
#include "tests/support.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {
namespace {

using namespace std::chrono_literals;

constexpr const char* doc_root = "/usr/share/doc/libxslt1-dev/html";
constexpr std::size_t depth = 3;

std::string listed(const std::set<std::string>& urls) {
  std::string out;
  for (const auto& u : urls) out += "\n  " + u;
  return out;
}

TEST(crawl_real, a_debian_doc_tree_gives_the_urls_wget_requests_in_every_model) {
  if (!net::nginx_server::binary())
    GTEST_SKIP() << "nginx is not installed (scripts/optional-packages: nginx-light)";
  const auto wget = process::find_program("wget");
  if (!wget) GTEST_SKIP() << "wget is not installed (scripts/optional-packages: wget)";
  if (!std::filesystem::exists(std::string(doc_root) + "/index.html"))
    GTEST_SKIP() << doc_root << " is missing (scripts/optional-packages: libxslt1-dev)";

  const net::nginx_server nginx(net::nginx_server::existing_directory{doc_root});
  const std::string root = nginx.url("/index.html");
  const testing::temp_dir scratch("concur-crawl-real");
  const auto log = scratch.path() / "wget.log";
  // Exit status 8 means some link was broken, as some are here; the log is what counts.
  process::run_quiet(
      wget_argv(*wget, root, depth, (scratch.path() / "files").string(), log.string()));
  const auto logged = urls_in_wget_log(log.string());
  const std::set<std::string> want(logged.begin(), logged.end());
  ASSERT_GT(want.size(), 50u) << "wget's log names too few URLs:" << listed(want);

  testing::for_each_model<concur::http::crawl_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto get = make_getter(m, crawl_options({.concurrency = 8, .timeout = 5s}),
                                 models::config::defaults(), tally);
    const auto visited = crawl_workload::baseline_listing(crawl(get, root, depth, tally));
    const std::set<std::string> got(visited.begin(), visited.end());
    std::set<std::string> missing, extra;
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                        std::inserter(missing, missing.end()));
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                        std::inserter(extra, extra.end()));
    EXPECT_TRUE(missing.empty() && extra.empty())
        << M::name << ": " << got.size() << " URLs visited, wget requested " << want.size()
        << "\nrequested by wget only:" << listed(missing)
        << "\nvisited by the crawl only:" << listed(extra);
  });
}

}  // namespace
}  // namespace concur::http
