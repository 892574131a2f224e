// A real site nobody here wrote: the HTML documentation Debian's libxslt1-dev installs, served by
// nginx, crawled to depth 3 in every model. The URLs visited must be those Debian's wget requests
// for the same crawl, read from its log, under the differences README.md documents: wget is told
// to follow only <a> and <area> (--follow-tags=a,area: its default also takes <img>, <link>,
// <script>, ...) and not to read robots.txt (-e robots=off).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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

// The URLs wget's --no-verbose log names, normalised as the crawler's: "... URL:http://... [n/n]
// -> ...", "... URL: http://... 200 OK", and "http://...:" before "broken link!!!".
std::set<std::string> urls_in_wget_log(const std::filesystem::path& log) {
  std::set<std::string> out;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    std::string text;
    if (const auto at = line.find(" URL:"); at != std::string::npos) {
      const auto start = line.find_first_not_of(' ', at + 5);
      text = line.substr(start, line.find(' ', start) - start);
    } else if (line.starts_with("http://") && line.ends_with(":")) {
      text = line.substr(0, line.size() - 1);
    }
    if (text.empty()) continue;
    const auto u = parse_url(text);
    out.insert(u ? u->str() : "unparsed: " + text);
  }
  return out;
}

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
  // --no-config and --no-proxy: no user's wgetrc or proxy between wget and the loopback server.
  process::run_quiet({*wget, "--no-config", "--no-proxy", "--recursive",
                      "--level=" + std::to_string(depth), "--spider", "--no-verbose", "-e",
                      "robots=off", "--follow-tags=a,area",
                      "--directory-prefix=" + (scratch.path() / "files").string(),
                      "--output-file=" + log.string(), root});
  const auto want = urls_in_wget_log(log);
  ASSERT_GT(want.size(), 50u) << "wget's log names too few URLs:" << listed(want);

  testing::for_each_model([&]<class M>(M m) {
    client_tally tally;
    const auto get = make_getter(m, crawl_options({.concurrency = 8, .timeout = 5s}),
                                 models::config::defaults(), tally);
    const auto result = crawl(get, root, depth, tally);
    std::set<std::string> got;
    for (const auto& v : result.visited) {
      got.insert(v.url);
      if (!v.final_url.empty()) got.insert(v.final_url);
    }
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
