// The HTTP workloads: every model against the embedded site server with every fault kind, the
// server against bad clients, timeouts, refused and reset connections, and leaks.
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "bench/matrix.hpp"
#include "core/cpu_time.hpp"
#include "models/processes.hpp"
#include "tests/support.hpp"
#include "workloads/http/http.hpp"
#include "workloads/http/links.hpp"
#include "workloads/http/nginx.hpp"
#include "workloads/http/server.hpp"

extern char** environ;

namespace concur::http {
namespace {

using namespace std::chrono_literals;

// ---- the site and its pure parts

TEST(http_site, is_deterministic_and_places_every_fault) {
  const site_spec spec{
      .pages = 50,
      .fanout = 4,
      .seed = 9,
      .faults = {.not_found = 1, .server_error = 2, .slow = 3, .truncated = 4, .unreachable = 5}};
  const site a(spec, "127.0.0.1", 1), b(spec, "127.0.0.1", 1);
  std::map<fault, std::size_t> counts;
  for (std::size_t i = 0; i < spec.pages; ++i) {
    EXPECT_EQ(a.body(i), b.body(i));
    EXPECT_EQ(a.links(i), b.links(i));
    EXPECT_LE(a.links(i).size(), spec.fanout);
    ++counts[a.fault_of(i)];
  }
  EXPECT_EQ(a.fault_of(0), fault::none);
  EXPECT_EQ(counts[fault::not_found], 1u);
  EXPECT_EQ(counts[fault::server_error], 2u);
  EXPECT_EQ(counts[fault::slow], 3u);
  EXPECT_EQ(counts[fault::truncated], 4u);
  EXPECT_EQ(counts[fault::unreachable], 5u);
  const site other({.pages = 50, .fanout = 4, .seed = 10}, "127.0.0.1", 1);
  EXPECT_NE(a.body(0), other.body(0));
}

TEST(http_site, bodies_link_as_the_graph_says) {
  const site s({.pages = 30, .fanout = 3, .seed = 2, .faults = {.unreachable = 3}}, "127.0.0.1",
               4242);
  for (std::size_t i = 0; i < s.pages(); ++i) {
    std::vector<std::string> want;
    for (std::size_t t : s.links(i)) want.push_back(s.url_of(t, 8080));
    std::vector<std::string> got;
    for (const auto& u : extract_links(s.body(i), *parse_url("http://127.0.0.1:8080/page/0")))
      got.push_back(u.str());
    EXPECT_EQ(got, want) << "page " << i;
  }
}

// ---- every model against the server, verified like the bench does

// matrix_test's every_cell verifies each of these cells against its oracle; here, that the test
// cases of each workload are cells in every model, none of them skipped or declined.
TEST(http_matrix, every_test_case_is_a_cell_in_every_model) {
  std::size_t cells = 0;
  for (const auto& c : bench::make_cells({.kinds = {case_kind::test}})) {
    if (c.workload != "fetch" && c.workload != "crawl") continue;
    ++cells;
    EXPECT_EQ(c.skip_reason, c.unsupported) << c.name();  // runs, or is declined with the reason
  }
  const auto test_cases = [](const auto& cases) {
    return std::count_if(cases.begin(), cases.end(),
                         [](const auto& c) { return c.kind == case_kind::test; });
  };
  const auto per_model = test_cases(fetch_workload::cases()) + test_cases(crawl_workload::cases());
  EXPECT_GE(per_model, 4);
  EXPECT_EQ(cells, static_cast<std::size_t>(per_model) * concur::size(models::all{}));
}

fetch_params faulty_fetch() {
  for (auto& c : fetch_workload::cases())
    if (c.name == "faults_n40_c4") return c.params;
  throw std::logic_error("no faults case");
}

TEST(http_matrix, the_fault_case_exercises_every_outcome) {
  const auto r = fetch_workload::reference(faulty_fetch());
  std::set<std::string> outcomes;
  for (const auto& p : r.pages)
    outcomes.insert(p.error != error_kind::none ? std::string(to_string(p.error))
                                                : std::to_string(p.status));
  EXPECT_EQ(outcomes,
            (std::set<std::string>{"200", "404", "500", "timed out", "reset", "refused"}));
}

// ---- timeouts, refusals and resets, per model

using concur::testing::for_each_model;

TEST(http_matrix, a_one_page_case_asks_every_model_for_page_1_n_times) {
  // The work of wrk on one URL: N requests, all for page 1, every one answered and counted.
  const fetch_params p{.site = {.pages = 120, .fanout = 3, .seed = 5, .body_bytes = 256},
                       .client = {.concurrency = 8, .timeout = 5s},
                       .one_page = true};
  const auto expected = fetch_workload::reference(p);
  ASSERT_EQ(expected.pages.size(), 120u);
  ASSERT_EQ(expected.requests_sent, 120u);
  for (const auto& page : expected.pages) {
    EXPECT_TRUE(page.url.ends_with("/page/1")) << page.url;
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page, expected.pages.front());
  }
  for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    const auto actual = fetch_workload::run(m, p, models::config::defaults());
    EXPECT_EQ(actual, expected) << M::name << ": "
                                << fetch_workload::describe_diff(expected, actual);
  });
}

TEST(http_client, a_timeout_fires_within_a_bounded_overshoot_in_every_model) {
  auto& server = embedded_server(faulty_fetch().site);
  std::string slow;
  for (std::size_t i = 0; i < server.site().pages(); ++i)
    if (server.site().fault_of(i) == fault::slow) slow = server.url_of(i);
  const auto timeout = 200ms;
  for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto get =
        make_getter(m, {.concurrency = 2, .timeout = timeout}, models::config::defaults(), tally);
    const auto start = std::chrono::steady_clock::now();
    const auto r = get({slow});
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.at(0).error, error_kind::timed_out) << M::name;
    EXPECT_GE(took, timeout) << M::name;
    // Generous: the slow page answers only after 3 s; this is about firing, not speed.
    EXPECT_LT(took, timeout + 1500ms) << M::name;
  });
}

TEST(http_client, refused_reset_and_bad_urls_are_results_not_failures_in_every_model) {
  auto& server = embedded_server(faulty_fetch().site);
  std::string truncated, unreachable;
  for (std::size_t i = 0; i < server.site().pages(); ++i) {
    if (server.site().fault_of(i) == fault::truncated) truncated = server.url_of(i);
    if (server.site().fault_of(i) == fault::unreachable) unreachable = server.url_of(i);
  }
  const std::vector<std::string> urls{unreachable,          truncated,  server.root_url(),
                                      "https://127.0.0.1/", "nonsense", truncated,
                                      server.root_url()};
  for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto get =
        make_getter(m, {.concurrency = 3, .timeout = 2s}, models::config::defaults(), tally);
    const auto r = get(urls);
    ASSERT_EQ(r.size(), urls.size());
    EXPECT_EQ(r[0].error, error_kind::refused) << M::name;
    EXPECT_EQ(r[1].error, error_kind::reset) << M::name;
    EXPECT_EQ(r[2].status, 200) << M::name;
    EXPECT_EQ(r[3].error, error_kind::bad_url) << M::name;
    EXPECT_EQ(r[4].error, error_kind::bad_url) << M::name;
    EXPECT_EQ(r[5].error, error_kind::reset) << M::name;
    EXPECT_EQ(r[6].status, 200) << M::name;
    EXPECT_EQ(tally.requests_sent, 4u) << M::name;
  });
}

TEST(http_client, a_keep_alive_connection_the_server_closed_while_idle_is_retried_in_every_model) {
  // The server closes keep-alive connections idle for 100 ms: the second batch, on the same
  // getter, finds every connection of the first closed by the server and must resend on a fresh
  // one: the same answer, each request counted once.
  site_server server({.pages = 10, .fanout = 2, .seed = 1}, {.idle_timeout = 100ms});
  const std::vector<std::string> urls{server.url_of(1), server.url_of(2), server.url_of(3),
                                      server.url_of(99)};
  std::optional<fetch_result> first_model;
  for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto get =
        make_getter(m, {.concurrency = 2, .timeout = 2s}, models::config::defaults(), tally);
    const auto before = fetch(get, urls, tally);
    const std::size_t opened = tally.connections_opened;
    std::this_thread::sleep_for(400ms);
    const auto after = fetch(get, urls, tally);
    for (const auto& p : after.pages)
      EXPECT_EQ(p.error, error_kind::none) << M::name << " " << p.url;
    EXPECT_EQ(after.pages, before.pages) << M::name;
    EXPECT_EQ(after.pages.back().status, 404) << M::name;
    EXPECT_EQ(after.requests_sent, 2 * urls.size()) << M::name;
    EXPECT_EQ(after.bytes_received, 2 * before.bytes_received) << M::name;
    // The connections were indeed closed under the client, and new ones opened.
    EXPECT_GT(tally.connections_opened, opened) << M::name;
    if (!first_model)
      first_model = after;
    else
      EXPECT_EQ(after, *first_model) << M::name;
  });
}

// ---- no descriptors or threads left behind

std::size_t count_entries(const char* dir) {
  std::size_t n = 0;
  if (DIR* d = opendir(dir)) {
    while (readdir(d)) ++n;
    closedir(d);
  }
  return n;
}

// Server sessions end when they see the client's close, and threads leave /proc a moment after
// they are joined: wait until the count is back at `want` (or, without one, until it has not
// changed for 100 ms).
std::size_t settled(const char* dir, std::optional<std::size_t> want = std::nullopt) {
  std::size_t now = count_entries(dir);
  for (int i = 0, unchanged = 0; i < 300; ++i) {
    if (want && now <= *want) return now;
    std::this_thread::sleep_for(10ms);
    const std::size_t next = count_entries(dir);
    unchanged = next == now ? unchanged + 1 : 0;
    if (!want && unchanged == 10) return next;
    now = next;
  }
  return now;
}

TEST(http_leaks, no_descriptors_or_threads_are_left_behind_in_any_model) {
  // Every fault but the slow one (a slow page's server session rightly waits out its delay).
  fetch_params p = faulty_fetch();
  p.site.faults.slow = 0;
  crawl_params c{.site = p.site, .depth = 6, .client = p.client};
  for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    const auto config = models::config::defaults();
    // First runs start the shared server and any pool the runtime keeps (oneTBB's workers).
    fetch_workload::run(m, p, config);
    crawl_workload::run(m, c, config);
    const std::size_t fds = settled("/proc/self/fd"), threads = settled("/proc/self/task");
    fetch_workload::run(m, p, config);
    crawl_workload::run(m, c, config);
    EXPECT_LE(settled("/proc/self/fd", fds), fds) << M::name;
    EXPECT_LE(settled("/proc/self/task", threads), threads) << M::name;
  });
}

// ---- the server against bad clients

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  timeval tv{.tv_sec = 2, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  return out;
}

TEST(http_server, survives_garbage_vanishing_clients_and_idle_connections) {
  site_server server({.pages = 10, .fanout = 2, .seed = 1});
  // Garbage: a 400 and the connection closed.
  {
    const int fd = connect_to(server.port());
    ASSERT_GE(fd, 0);
    const std::string garbage = "\x16\x03\x01 this is not http\r\n\r\n";
    ASSERT_EQ(::write(fd, garbage.data(), garbage.size()), static_cast<ssize_t>(garbage.size()));
    EXPECT_TRUE(read_all(fd).starts_with("HTTP/1.1 400"));
    ::close(fd);
  }
  // A client that vanishes mid-request, and one that vanishes before reading its answer.
  for (const std::string partial :
       {"GET /page/1 HTTP/1.1\r\nHost: x\r\n", "GET /page/1 HTTP/1.1\r\n\r\n"}) {
    const int fd = connect_to(server.port());
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
    linger hard{.l_onoff = 1, .l_linger = 0};  // close with a reset
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::close(fd);
  }
  // Thousands of idle connections (each costs this process two descriptors: ours and the
  // server's), then real requests on all models still succeed.
  rlimit files{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &files), 0);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &files), 0);
  ASSERT_GE(files.rlim_cur, 2 * 2000 + 256u) << "too few descriptors allowed for this test";
  std::vector<int> idle;
  for (int i = 0; i < 2000; ++i)
    if (const int fd = connect_to(server.port()); fd >= 0) idle.push_back(fd);
  EXPECT_EQ(idle.size(), 2000u);
  for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto r = make_getter(m, {.concurrency = 4, .timeout = 2s, .keep_bodies = true},
                               models::config::defaults(),
                               tally)({server.url_of(1), server.url_of(2), server.url_of(99)});
    EXPECT_EQ(r[0].status, 200) << M::name;
    EXPECT_EQ(r[1].body, server.site().body(2)) << M::name;
    EXPECT_EQ(r[2].status, 404) << M::name;
  });
  for (int fd : idle) ::close(fd);
}

TEST(http_server, stops_cleanly) {
  // A first server starts whatever a process starts once (a sanitizer's background thread).
  site_server({.pages = 1}).stop();
  const std::size_t threads = count_entries("/proc/self/task");
  const std::size_t fds = count_entries("/proc/self/fd");
  {
    site_server server({.pages = 5, .fanout = 2, .seed = 1, .latency = 10ms}, {.threads = 2});
    const int fd = connect_to(server.port());  // a connection left open, and a request in flight
    const std::string req = "GET /page/1 HTTP/1.1\r\n\r\n";
    EXPECT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
    server.stop();
    server.stop();
    ::close(fd);
  }
  EXPECT_LE(settled("/proc/self/task", threads), threads);
  EXPECT_LE(settled("/proc/self/fd", fds), fds);
}

// ---- nginx serving the exported site

std::string without_port(std::string url, std::uint16_t port) {
  const std::string from = fmt::format(":{}/", port);
  if (const auto at = url.find(from); at != std::string::npos)
    url.replace(at, from.size(), ":PORT/");
  return url;
}

TEST(http_crawl, max_pages_stops_the_visits_and_on_visit_sees_each_level_as_it_is_answered) {
  const auto& server = embedded_server({.pages = 60, .fanout = 4, .seed = 3});
  const auto crawl_with = [&](crawl_rules rules) {
    client_tally tally;
    return crawl(
        make_getter(models::threads_model{}, {.concurrency = 4, .timeout = 5s, .keep_bodies = true},
                    models::config::defaults(), tally),
        server.root_url(), 9, tally, rules);
  };
  const auto whole = crawl_with({});
  ASSERT_GT(whole.visited.size(), 7u);
  std::vector<visit> streamed;
  const auto cut =
      crawl_with({.max_pages = 7, .on_visit = [&](const visit& v) { streamed.push_back(v); }});
  EXPECT_EQ(cut.visited.size(), 7u);
  EXPECT_TRUE(cut.errors.empty());
  // Every page was reported once, a level after the one before it, by URL within a level.
  ASSERT_EQ(streamed.size(), cut.visited.size());
  for (std::size_t i = 1; i < streamed.size(); ++i) {
    const auto& a = streamed[i - 1];
    const auto& b = streamed[i];
    EXPECT_TRUE(a.depth < b.depth || (a.depth == b.depth && a.url < b.url))
        << a.url << " " << b.url;
  }
  // The pages kept are the nearest: each at the depth the whole crawl found it at.
  std::map<std::string, std::size_t> depth_of;
  for (const auto& v : whole.visited) depth_of.emplace(v.url, v.depth);
  for (const auto& v : cut.visited) {
    EXPECT_EQ(v.status, 200) << v.url;
    ASSERT_TRUE(depth_of.contains(v.url)) << v.url;
    EXPECT_EQ(v.depth, depth_of.at(v.url)) << v.url;
    EXPECT_NE(std::find(streamed.begin(), streamed.end(), v), streamed.end()) << v.url;
  }
}

// ---- the processes model's own failure modes

// This process's children now, whichever thread forked them.
std::set<pid_t> children() {
  std::set<pid_t> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line) || line.rfind(')') == std::string::npos) continue;
    std::istringstream rest(line.substr(line.rfind(')') + 1));
    char state = '?';
    long parent = 0;
    if (rest >> state >> parent && parent == ::getpid()) out.insert(std::stoi(name));
  }
  return out;
}

bool reaped(pid_t pid) {
  return ::waitpid(pid, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

models::config two_workers() {
  auto config = models::config::defaults();
  config.worker_processes = 2;
  return config;
}

TEST(http_processes, a_worker_killed_mid_crawl_fails_the_crawl_naming_it_and_leaves_no_process) {
  // The latency keeps a level in flight while one of its workers is killed.
  const auto& server = embedded_server({.pages = 60, .fanout = 4, .seed = 3, .latency = 100ms});
  const auto before = children();
  client_tally tally;
  getter get = make_getter(models::processes_model{},
                           crawl_options({.concurrency = 8, .timeout = 5s}), two_workers(), tally);
  std::set<pid_t> workers;
  pid_t victim = 0;
  std::jthread killer;
  std::size_t levels = 0;
  const getter killing = [&](const std::vector<std::string>& urls) {
    if (++levels == 2) {  // the workers were forked for the root's level
      for (const pid_t pid : children())
        if (!before.contains(pid)) workers.insert(pid);
      if (!workers.empty()) victim = *workers.begin();
      killer = std::jthread([victim] {
        std::this_thread::sleep_for(30ms);
        if (victim > 0) ::kill(victim, SIGKILL);
      });
    }
    return get(urls);
  };
  try {
    crawl(killing, server.root_url(), 3, tally);
    ADD_FAILURE() << "the crawl ended as though no worker had died";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(fmt::format("(pid {}) was killed by signal 9", victim)),
              std::string::npos)
        << e.what();
  }
  killer = {};
  get = nullptr;  // the getter's last copy: the other worker is ended
  ASSERT_EQ(workers.size(), 2u);
  for (const pid_t pid : workers) EXPECT_TRUE(reaped(pid)) << "worker " << pid << " was left";
}

TEST(http_processes, a_run_counts_its_workers_cpu_and_ends_them_cleanly) {
  const fetch_params p{{.pages = 2000, .fanout = 4, .seed = 1, .body_bytes = 512},
                       {.concurrency = 16, .timeout = 5s}};
  const auto children_cpu = [] {
    rusage u{};
    ::getrusage(RUSAGE_CHILDREN, &u);
    return cpu_time::of_usage(u);
  };
  fetch_workload::run(models::processes_model{}, p, two_workers());  // starts the server
  processes::reset_workers_memory();
  const double before = children_cpu();
  const auto r = fetch_workload::run(models::processes_model{}, p, two_workers());
  const double workers = children_cpu() - before;
  EXPECT_EQ(r, fetch_workload::reference(p));
  EXPECT_GT(workers, 0.0);
  EXPECT_GE(r.measured.client_cpu_seconds, workers);
  // Ended by end of file inside the run, not killed: the workers' memory was recorded.
  EXPECT_TRUE(processes::workers_memory_since_reset().ran);
}

TEST(http_processes, a_server_that_refuses_gives_the_sequential_models_answers) {
  auto& server = embedded_server(faulty_fetch().site);
  std::vector<std::string> refused;
  for (std::size_t i = 0; i < server.site().pages(); ++i)
    if (server.site().fault_of(i) == fault::unreachable) refused.push_back(server.url_of(i));
  ASSERT_FALSE(refused.empty());
  refused.push_back(refused.front() + "?again");
  const auto fetched = [&](auto m) {
    client_tally tally;
    return fetch(make_getter(m, {.concurrency = 4, .timeout = 2s}, two_workers(), tally), refused,
                 tally);
  };
  const auto crawled = [&](auto m) {
    client_tally tally;
    return crawl(
        make_getter(m, crawl_options({.concurrency = 4, .timeout = 2s}), two_workers(), tally),
        refused.front(), 2, tally);
  };
  const auto want = fetched(models::sequential_model{});
  for (const auto& page : want.pages) EXPECT_EQ(page.error, error_kind::refused) << page.url;
  EXPECT_EQ(fetched(models::processes_model{}), want);
  const auto want_crawl = crawled(models::sequential_model{});
  EXPECT_EQ(want_crawl.errors.size(), 1u);
  EXPECT_EQ(crawled(models::processes_model{}), want_crawl);
}

TEST(http_nginx, a_crawl_of_the_exported_site_reaches_the_same_pages_with_the_same_bodies) {
  if (!net::nginx_server::binary())
    GTEST_SKIP() << "nginx is not installed (scripts/optional-packages: nginx-light)";
  crawl_params p;
  for (auto& c : crawl_workload::cases())
    if (c.name == "faults_n40_d6_c4") p = c.params;
  const auto& embedded = embedded_server(p.site);
  const auto& nginx = shared_nginx(p.site);
  auto with_bodies = p.client;
  with_bodies.keep_bodies = true;  // the crawl reads the links in the bodies
  const auto crawl_with = [&](const std::string& root) {
    client_tally tally;
    return crawl(
        make_getter(models::coroutines_model{}, with_bodies, models::config::defaults(), tally),
        root, p.depth, tally);
  };
  const auto want = crawl_with(embedded.root_url());
  const double nginx_cpu = nginx.cpu_seconds();
  const auto got = crawl_with(nginx.root_url());
  EXPECT_GT(nginx.cpu_seconds(), nginx_cpu) << "serving the crawl cost nginx no CPU?";
  // Sorted by URL, the two differ in order (their ports differ): compare by path.
  std::map<std::string, visit> by_path;
  for (const auto& g : got.visited) by_path.emplace(without_port(g.url, nginx.port()), g);
  ASSERT_EQ(want.visited.size(), by_path.size());
  std::set<fault> seen;
  for (const auto& w : want.visited) {
    const auto path = without_port(w.url, embedded.port());
    ASSERT_TRUE(by_path.contains(path)) << path;
    const auto& g = by_path.at(path);
    EXPECT_EQ(w.depth, g.depth) << path;
    const auto page = embedded.site().page_of(parse_url(w.url)->target);
    ASSERT_TRUE(page) << path;
    const fault f = embedded.site().fault_of(*page);
    seen.insert(f);
    if (exported(f)) {  // the same answer, byte for byte
      EXPECT_EQ(w.status, g.status) << path;
      EXPECT_EQ(w.error, g.error) << path;
      EXPECT_EQ(w.body_bytes, g.body_bytes) << path;
    } else {  // 404, 500, slow and truncated pages have no file: nginx says 404
      EXPECT_EQ(g.status, 404) << path << " (" << to_string(f) << ")";
    }
  }
  EXPECT_EQ(seen.size(), 6u) << "the crawl should meet every kind of page";
  std::vector<std::pair<std::string, std::string>> want_edges, got_edges;
  for (const auto& [from, to] : want.edges)
    want_edges.emplace_back(without_port(from, embedded.port()), without_port(to, embedded.port()));
  for (const auto& [from, to] : got.edges)
    got_edges.emplace_back(without_port(from, nginx.port()), without_port(to, nginx.port()));
  std::sort(want_edges.begin(), want_edges.end());
  std::sort(got_edges.begin(), got_edges.end());
  EXPECT_EQ(want_edges, got_edges);
  // Bodies: every exported page fetched from both is the same, byte for byte.
  std::vector<std::string> from_embedded, from_nginx;
  for (std::size_t i = 0; i < embedded.site().pages(); ++i) {
    if (embedded.site().fault_of(i) != fault::none) continue;
    from_embedded.push_back(embedded.url_of(i));
    from_nginx.push_back(nginx.url_of(i));
  }
  client_tally t1, t2;
  const auto a =
      fetch(make_getter(models::sequential_model{}, p.client, models::config::defaults(), t1),
            from_embedded, t1);
  const auto b =
      fetch(make_getter(models::sequential_model{}, p.client, models::config::defaults(), t2),
            from_nginx, t2);
  for (std::size_t i = 0; i < a.pages.size(); ++i) {
    EXPECT_EQ(a.pages[i].status, 200);
    EXPECT_EQ(a.pages[i].body_hash, b.pages[i].body_hash) << from_nginx[i];
  }
}

// ---- the command line

struct child {
  pid_t pid = -1;
  FILE* out = nullptr;
};

child spawn(std::vector<std::string> args) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  child c;
  if (posix_spawn(&c.pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) c.pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  c.out = ::fdopen(pipe_fds[0], "r");
  return c;
}

std::string line_of(FILE* f) {
  char buf[4096];
  return std::fgets(buf, sizeof buf, f) ? std::string(buf) : std::string();
}

TEST(http_cli, serve_prints_its_address_serves_fetch_and_crawl_and_stops_on_sigterm) {
  child serve = spawn(
      {CONCUR_CLI, "serve", "--pages", "20", "--fanout", "3", "--faults", "1", "--latency", "1ms"});
  ASSERT_GT(serve.pid, 0);
  const std::string first = line_of(serve.out);
  ASSERT_TRUE(first.starts_with("listening on http://127.0.0.1:")) << first;
  const auto root = first.substr(first.find("root ") + 5,
                                 first.find(',', first.find("root ")) - first.find("root ") - 5);

  child crawl = spawn({CONCUR_CLI, "crawl", "--model", "threads", "-c", "4", "--timeout", "500ms",
                       "--depth", "9", root});
  std::string output, line;
  while (!(line = line_of(crawl.out)).empty()) output += line;
  int status = 0;
  ::waitpid(crawl.pid, &status, 0);
  std::fclose(crawl.out);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);  // the faulty pages failed
  EXPECT_NE(output.find("0 200 "), std::string::npos) << output;
  EXPECT_NE(output.find("refused"), std::string::npos) << output;
  EXPECT_NE(output.find("timed out"), std::string::npos) << output;
  EXPECT_NE(output.find("requests sent"), std::string::npos) << output;

  child fetch = spawn({CONCUR_CLI, "fetch", root, "http://127.0.0.1:1/"});
  output.clear();
  while (!(line = line_of(fetch.out)).empty()) output += line;
  ::waitpid(fetch.pid, &status, 0);
  std::fclose(fetch.out);
  EXPECT_NE(output.find("200 "), std::string::npos) << output;
  EXPECT_NE(output.find("refused http://127.0.0.1:1/"), std::string::npos) << output;

  ::kill(serve.pid, SIGTERM);
  ::waitpid(serve.pid, &status, 0);
  std::fclose(serve.out);
  // Stopped cleanly, it still ends by the signal (128 + 15 to a shell), as the README promises.
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
}

// nginx on an existing directory, read-only: the address line, a page of it crawled, and the stop.
TEST(http_cli, serve_nginx_root_serves_a_directory_and_stops_on_sigterm) {
  if (!net::nginx_server::binary()) GTEST_SKIP() << "nginx is not installed";
  const testing::temp_dir site("concur-serve-root");
  std::ofstream(site.path() / "index.html")
      << "<a href=\"b.html\">b</a><a href=\"gone.html\">x</a>";
  std::ofstream(site.path() / "b.html") << "<p>b</p>";
  child serve = spawn({CONCUR_CLI, "serve", "--nginx-root", site.path().string()});
  ASSERT_GT(serve.pid, 0);
  const std::string first = line_of(serve.out);
  ASSERT_TRUE(first.starts_with("listening on http://127.0.0.1:")) << first;
  const auto base = first.substr(13, first.find(' ', 13) - 13);

  child crawl = spawn({CONCUR_CLI, "crawl", "--depth", "1", base + "index.html"});
  std::string output, line;
  while (!(line = line_of(crawl.out)).empty()) output += line;
  int status = 0;
  ::waitpid(crawl.pid, &status, 0);
  std::fclose(crawl.out);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);  // gone.html: 404
  EXPECT_NE(output.find("1 200 8 bytes " + base + "b.html"), std::string::npos) << output;
  EXPECT_NE(output.find("1 404 "), std::string::npos) << output;

  ::kill(serve.pid, SIGTERM);
  ::waitpid(serve.pid, &status, 0);
  std::fclose(serve.out);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
}

// ---- nginx does not outlive a killed parent

// Run by the next test in a process of its own: starts nginx, reports its pid and directory on
// the descriptor CONCUR_NGINX_REPORT_FD names, then waits to be killed.
TEST(http_nginx, DISABLED_helper_starts_nginx_and_waits_to_be_killed) {
  const char* report_fd = std::getenv("CONCUR_NGINX_REPORT_FD");
  if (!report_fd) GTEST_SKIP() << "a helper process of nginx_dies_with_its_killed_parent";
  const int fd = std::atoi(report_fd);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);  // nginx must not hold the report pipe open
  const site s({.pages = 3, .fanout = 2, .seed = 1}, "127.0.0.1", 1);
  const site_nginx nginx(s);
  const std::string report = std::to_string(nginx.pid()) + " " + nginx.directory() + "\n";
  ASSERT_EQ(::write(fd, report.data(), report.size()), static_cast<ssize_t>(report.size()));
  ::close(fd);
  for (;;) ::pause();
}

using concur::testing::gone;

TEST(http_nginx, nginx_dies_with_its_killed_parent) {
  if (!net::nginx_server::binary())
    GTEST_SKIP() << "nginx is not installed (scripts/optional-packages: nginx-light)";
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  constexpr int report_fd = 100;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], report_fd);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);  // its gtest chatter
  std::vector<std::string> args{"/proc/self/exe",
                                "--gtest_filter=http_nginx.DISABLED_helper_starts_nginx_and_waits_"
                                "to_be_killed",
                                "--gtest_also_run_disabled_tests"};
  std::vector<std::string> env{"CONCUR_NGINX_REPORT_FD=" + std::to_string(report_fd)};
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t helper = -1;
  const int spawned = posix_spawn(&helper, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  FILE* report = ::fdopen(fds[0], "r");
  ASSERT_EQ(spawned, 0);
  const std::string line = line_of(report);
  std::fclose(report);
  ::kill(helper, SIGKILL);
  ::waitpid(helper, nullptr, 0);
  ASSERT_FALSE(line.empty()) << "the helper did not start nginx";
  const pid_t nginx = std::stoi(line);
  const std::string dir = line.substr(line.find(' ') + 1, line.size() - line.find(' ') - 2);
  const auto start = std::chrono::steady_clock::now();
  while (!gone(nginx) && std::chrono::steady_clock::now() - start < 2s)
    std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(gone(nginx)) << "nginx " << nginx << " outlived its killed parent";
  ::kill(nginx, SIGKILL);  // whatever happened, leave nothing behind
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
}  // namespace concur::http
