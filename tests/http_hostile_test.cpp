// The HTTP clients of every model against a server that misbehaves on purpose
// (hostile_server.hpp): interim responses, redirects, bodies past the limit or without end, huge
// headers, garbage, a close mid-body; host names, IPv6, names that do not resolve, and running out
// of descriptors.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "net/resolve.hpp"
#include "tests/hostile_server.hpp"
#include "tests/support.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {
namespace {

using namespace std::chrono_literals;
using concur::testing::canned_answer;
using concur::testing::for_each_model;
using concur::testing::hostile_server;
using then = canned_answer::then;

// The body hash computed here, independently of the clients' streaming one.
std::uint64_t xxh3(const std::string& s) {
  return XXH3_64bits(s.data(), s.size());
}

std::string ok(const std::string& body, const std::string& extra_fields = "") {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra_fields + "\r\n" + body;
}

std::string chunked(const std::string& body, std::size_t piece) {
  std::string out = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (std::size_t at = 0; at < body.size(); at += piece) {
    const auto part = body.substr(at, piece);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    out += size + part + "\r\n";
  }
  return out + "0\r\n\r\n";
}

// A body of n bytes that is not one byte repeated (a shifted piece would change its hash).
std::string patterned(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

constexpr std::size_t test_body_limit = 64 * 1024;
const std::string big_body = patterned(48 * 1024);  // several reads, within the limit

hostile_server& server() {
  static hostile_server s({
      {"/interim",
       {"HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" +
        ok("first")}},
      {"/second", {ok("second")}},
      {"/moved",
       {"HTTP/1.1 301 Moved Permanently\r\nLocation: /elsewhere?x=1\r\n"
        "Content-Length: 0\r\n\r\n"}},
      {"/found-with-body",
       {"HTTP/1.1 302 Found\r\nLocation: http://[::1]:1/x\r\n"
        "Content-Length: 4\r\n\r\nmove"}},
      {"/ok-with-location", {ok("here", "Location: /ignored\r\n")}},
      {"/big", {ok(big_body)}},
      {"/big-chunked", {chunked(big_body, 1000)}},
      {"/over-limit", {ok(patterned(test_body_limit + 1))}},
      {"/endless", {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", then::endless_chunks}},
      {"/huge-header", {ok("x", "X-Filler: " + std::string(20'000, 'f') + "\r\n")}},
      {"/garbage", {"SSH-2.0-OpenSSH_9.2p1\r\nthis is not http\r\n\r\n", then::close}},
      {"/switching",
       {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\n\r\n"}},
      {"/cut",
       {"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(100, 'c'), then::close}},
      {"/slow", {ok("slow"), then::keep_open, 200ms}},
      {"/stall", {ok("slow"), then::keep_open, 2s}},
      {"/bad-links",
       {ok("<a href='http://user:pass@127.0.0.1/a'>a</a> <a href='http://127.0.0.1:0/b'>b</a>"
           "<a href='http://127.0.0.1:70000/c'>c</a> <a href='http://1.2.3/d'>d</a>"
           "<a href='mailto:x@y'>e</a> <a href='/second'>f</a>")}},
  });
  return s;
}

const client_options options{
    .concurrency = 1, .timeout = 2s, .keep_bodies = true, .body_limit = test_body_limit};

std::vector<response> get_with(auto model, const client_options& o,
                               const std::vector<std::string>& urls, client_tally& tally) {
  return make_getter(model, o, models::config::defaults(), tally)(urls);
}

TEST(http_hostile, interim_responses_are_skipped_and_the_next_request_gets_its_own_answer) {
  auto& s = server();
  for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto r = get_with(m, options, {s.url("/interim"), s.url("/second")}, tally);
    EXPECT_EQ(r[0].error, error_kind::none) << M::name;
    EXPECT_EQ(r[0].status, 200) << M::name;
    EXPECT_EQ(r[0].body, "first") << M::name;
    EXPECT_EQ(r[1].status, 200) << M::name;
    EXPECT_EQ(r[1].body, "second") << M::name;
    EXPECT_EQ(tally.connections_opened, 1u) << M::name << ": both on one keep-alive connection";
    EXPECT_EQ(tally.requests_sent, 2u) << M::name;
  });
}

TEST(http_hostile, a_redirect_records_its_location_as_sent) {
  auto& s = server();
  for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto r =
        get_with(m, options,
                 {s.url("/moved"), s.url("/found-with-body"), s.url("/ok-with-location")}, tally);
    EXPECT_EQ(r[0].status, 301) << M::name;
    EXPECT_EQ(r[0].location, "/elsewhere?x=1") << M::name;
    EXPECT_EQ(r[1].status, 302) << M::name;
    EXPECT_EQ(r[1].location, "http://[::1]:1/x") << M::name;
    EXPECT_EQ(r[1].body, "move") << M::name;
    EXPECT_EQ(r[2].status, 200) << M::name;
    EXPECT_EQ(r[2].location, "") << M::name << ": a Location is recorded for 3xx only";
  });
}

TEST(http_hostile, bodies_are_hashed_as_they_stream_and_kept_only_when_asked) {
  auto& s = server();
  for (const bool keep : {false, true}) {
    auto o = options;
    o.keep_bodies = keep;
    for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
      client_tally tally;
      const auto r =
          get_with(m, o, {s.url("/big"), s.url("/big-chunked"), s.url("/second")}, tally);
      for (std::size_t i = 0; i < r.size(); ++i) {
        const std::string& want = i < 2 ? big_body : std::string("second");
        EXPECT_EQ(r[i].status, 200) << M::name << " " << i;
        EXPECT_EQ(r[i].body_bytes, want.size()) << M::name << " " << i;
        EXPECT_EQ(r[i].body_hash, xxh3(want)) << M::name << " " << i;
        EXPECT_EQ(r[i].body, keep ? want : "") << M::name << " " << i << " keep " << keep;
      }
      EXPECT_EQ(tally.bytes_received, 2 * big_body.size() + 6) << M::name;
    });
  }
  EXPECT_EQ(body_hash(big_body), xxh3(big_body));
}

TEST(http_hostile, limits_garbage_and_cut_bodies_are_clear_errors) {
  auto& s = server();
  const std::vector<std::pair<std::string, error_kind>> cases{
      {"/over-limit", error_kind::body_over_limit},   {"/endless", error_kind::body_over_limit},
      {"/huge-header", error_kind::header_too_large}, {"/garbage", error_kind::bad_response},
      {"/switching", error_kind::bad_response},       {"/cut", error_kind::reset},
  };
  std::vector<std::string> urls;
  for (const auto& [path, kind] : cases) urls.push_back(s.url(path));
  urls.push_back(s.url("/second"));  // and the client still works after them
  for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto r = get_with(m, options, urls, tally);
    for (std::size_t i = 0; i < cases.size(); ++i) {
      EXPECT_EQ(to_string(r[i].error), to_string(cases[i].second))
          << M::name << " " << cases[i].first;
      EXPECT_TRUE(r[i].body.empty()) << M::name << " " << cases[i].first;
    }
    EXPECT_EQ(r.back().body, "second") << M::name;
  });
}

TEST(http_hostile, names_and_ipv6_addresses_are_resolved_in_every_model) {
  auto& s = server();
  std::vector<std::string> urls{s.url("/second", "localhost"), "http://no-such-host.invalid/",
                                "http://NO.SUCH.HOST.INVALID:8080/x"};
  if (s.has_ipv6()) urls.push_back(s.url("/second", "[::1]"));
  for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto r = get_with(m, {.concurrency = 2, .timeout = 2s, .keep_bodies = true}, urls, tally);
    EXPECT_EQ(r[0].body, "second") << M::name << " " << to_string(r[0].error);
    EXPECT_EQ(to_string(r[1].error), to_string(error_kind::no_such_host)) << M::name;
    EXPECT_FALSE(r[1].sent) << M::name;
    EXPECT_EQ(to_string(r[2].error), to_string(error_kind::no_such_host)) << M::name;
    if (s.has_ipv6()) {
      EXPECT_EQ(r[3].body, "second") << M::name << " " << to_string(r[3].error);
    }
  });
  if (!s.has_ipv6()) GTEST_SKIP() << "no IPv6 loopback on this machine: [::1] not tried";
}

TEST(http_hostile, running_out_of_descriptors_is_an_error_per_request_in_every_model) {
  // The CLI in a child limited to 64 descriptors, with more connections than that wanted at once
  // (each answer waits 2 s, so they overlap even when starting a thread per request is slow on a
  // loaded machine under ThreadSanitizer): the requests without a descriptor say so, the
  // others are answered, and nothing aborts. A model bounded to fewer tasks in flight than that
  // holds fewer connections: it must answer them all. (The tbb arena keeps its default size:
  // with more workers than cores, oneTBB's own start-up of them, uninstrumented, trips
  // ThreadSanitizer in the child.) The processes model has one worker: each worker process has a
  // descriptor limit of its own, so two would hold 50 connections each within theirs.
  if (testing::built_with_ubsan_vptr_check) GTEST_SKIP() << testing::no_descriptor_for_ubsan;
  auto& s = server();
  constexpr std::size_t limit = 64, wide = 100;
  auto config = models::config::defaults();
  config.pool_threads = wide;
  for_each_model<concur::http::fetch_workload>([&]<class M>(M) {
    const auto bound = M::max_in_flight(config);
    const bool runs_out = !bound || *bound > limit;
    std::string urls;
    for (std::size_t i = 0; i < (runs_out ? wide : 3); ++i)
      urls += " " + s.url(runs_out ? "/stall" : "/slow");
    const auto r = concur::testing::run_command(
        "ulimit -n " + std::to_string(limit) +
        " && exec " CONCUR_CLI " fetch --timeout 10s --model " + std::string(M::name) + " -c " +
        std::to_string(wide) + " --pool-threads " + std::to_string(wide) + " --worker-processes 1" +
        urls);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << M::name << " exit " << r.exit_code << "\n"
                                                      << r.output;
    EXPECT_EQ(r.output.find("too many open files") != std::string::npos, runs_out)
        << M::name << "\n"
        << r.output;
    EXPECT_NE(r.output.find("200 4 bytes"), std::string::npos) << M::name << "\n" << r.output;
  });
}

// --max-body is the longest body the client takes: one byte over is the error, in a unit too.
TEST(http_hostile, the_body_limit_is_the_users_to_set) {
  const auto url = server().url("/second");  // "second": 6 bytes
  const auto fetch = [&](const std::string& limit) {
    return concur::testing::run_command(CONCUR_CLI " fetch --max-body " + limit + " " + url);
  };
  const auto over = fetch("5");
  EXPECT_EQ(over.exit_code, 1) << over.output;
  EXPECT_NE(over.output.find("body over limit"), std::string::npos) << over.output;
  for (const char* enough : {"6", "1k", "64MiB"}) {
    const auto r = fetch(enough);
    EXPECT_EQ(r.exit_code, 0) << enough << "\n" << r.output;
    EXPECT_NE(r.output.find("200 6 bytes"), std::string::npos) << enough << "\n" << r.output;
  }
}

// A same-host link no request can be made of is the error fetch gives it, in every model; one to
// another host is not followed, and another scheme is no link.
TEST(http_hostile, a_crawl_reports_bad_links_of_its_host_as_bad_urls) {
  auto& s = server();
  std::optional<crawl_result> first;
  for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto r = crawl(make_getter(m, options, models::config::defaults(), tally),
                         s.url("/bad-links"), 1, tally);
    std::vector<std::string> errors = {"http://127.0.0.1:0/b: bad url",
                                       "http://127.0.0.1:70000/c: bad url",
                                       "http://user:pass@127.0.0.1/a: bad url"};
    EXPECT_EQ(r.errors, errors) << M::name;
    ASSERT_EQ(r.visited.size(), 5u) << M::name;  // the root, /second and the three bad links
    EXPECT_EQ(tally.requests_sent, 2u) << M::name << ": a bad URL is not sent";
    EXPECT_NE(std::find(r.edges.begin(), r.edges.end(),
                        std::pair{s.url("/bad-links"), std::string("http://1.2.3/d")}),
              r.edges.end())
        << M::name << ": an edge, not a visit";
    if (first)
      EXPECT_TRUE(*first == r) << M::name;
    else
      first = r;
  });
}

TEST(http_resolve, caches_names_and_refuses_invalid_ones_without_asking) {
  const auto local = resolve("localhost");
  ASSERT_EQ(local->error, error_kind::none);
  EXPECT_FALSE(local->addresses.empty());
  EXPECT_EQ(resolve("localhost"), local) << "resolved once, then cached";
  const auto v6 = resolve("::1");
  ASSERT_EQ(v6->error, error_kind::none);
  EXPECT_EQ(v6->addresses.at(0).bytes.ss_family, AF_INET6);
  EXPECT_EQ(resolve("127.0.0.1")->addresses.at(0).bytes.ss_family, AF_INET);
  for (const char* name : {"invalid", "a.invalid", "x.y.INVALID", "z.invalid."})
    EXPECT_EQ(resolve(name)->error, error_kind::no_such_host) << name;
}

}  // namespace
}  // namespace concur::http
