// The serve workload beyond the matrix's check of every model on its small case: the request
// reader on pipelined, split and malformed requests, what a run measures, and a server that
// answers wrongly or not at all failing verification with a readable diff.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "workloads/http/wrk.hpp"
#include "workloads/serve/protocol.hpp"
#include "workloads/serve/serve.hpp"
#include "workloads/serve/server_process.hpp"

namespace concur::serve {
namespace {

using std::chrono::milliseconds;

const params small{{.pages = 20, .fanout = 4, .seed = 1, .body_bytes = 512}, 8, milliseconds(200)};

double metric(const result& r, const std::string& name) {
  for (const auto& [n, v] : workload::metrics(r))
    if (n == name) return v;
  ADD_FAILURE() << "no metric " << name;
  return -1;
}

// The answers a reader gives for `bytes` fed in pieces of `piece` bytes, up to one that closes
// the connection (as a server stops there).
std::vector<answer> read_all(const site_answers& answers, std::string_view bytes,
                             std::size_t piece) {
  request_reader reader;
  std::vector<answer> out;
  while (!bytes.empty()) {
    const std::size_t n = std::min({piece, bytes.size(), reader.space_size()});
    std::memcpy(reader.space(), bytes.data(), n);
    reader.received(n);
    bytes.remove_prefix(n);
    while (const auto a = reader.next(answers)) {
      out.push_back(*a);
      if (a->close) return out;
    }
  }
  return out;
}

TEST(serve_protocol, answers_pipelined_requests_in_order_however_they_arrive) {
  const http::site site(small.site, "127.0.0.1", 0);
  const site_answers answers(site);
  const std::string requests =
      "GET /page/3 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /page/99 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /page/4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  for (const std::size_t piece : {1, 7, 1000}) {
    const auto got = read_all(answers, requests, piece);
    ASSERT_EQ(got.size(), 3u) << "pieces of " << piece;
    EXPECT_EQ(got[0].bytes, answers.answer("/page/3", true));
    EXPECT_FALSE(got[0].close);
    EXPECT_TRUE(got[1].bytes.starts_with("HTTP/1.1 404 Not Found\r\n"));
    EXPECT_EQ(got[2].bytes, answers.answer("/page/4", false));
    EXPECT_TRUE(got[2].close);
  }
  EXPECT_TRUE(answers.answer("/page/3", true).ends_with(site.body(3)));
  EXPECT_NE(answers.answer("/page/3", true).find("Connection: keep-alive\r\n"), std::string::npos);
}

TEST(serve_protocol, http_1_0_closes_and_what_is_no_get_is_a_bad_request) {
  const http::site site(small.site, "127.0.0.1", 0);
  const site_answers answers(site);
  auto got = read_all(answers, "GET /page/1 HTTP/1.0\r\n\r\n", 100);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].close);
  for (const char* bad :
       {"POST /page/1 HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi", "GET /page/1 HTTP/2.0\r\n\r\n",
        "garbage\r\n\r\n", "GET /page/1 HTTP/1.1\r\nno colon here\r\n\r\n"}) {
    got = read_all(answers, bad, 100);
    ASSERT_EQ(got.size(), 1u) << bad;
    EXPECT_EQ(got[0].bytes, answers.bad_request()) << bad;
    EXPECT_TRUE(got[0].close) << bad;
  }
  got = read_all(answers, std::string(request_reader::head_limit + 10, 'x'), 4096);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].bytes, answers.bad_request());
}

TEST(serve, a_run_measures_the_load_beside_the_verified_pages) {
  if (!http::wrk_binary()) GTEST_SKIP() << "wrk is not installed";
  const auto r = workload::run(models::coroutines_model{}, small, models::config::defaults());
  EXPECT_EQ(workload::describe_diff(workload::reference(small), r), "");
  EXPECT_GT(r.measured.requests, 0);
  EXPECT_GT(metric(r, "requests_per_s"), 0);
  EXPECT_GT(metric(r, std::string(us_per_request)), 0);
  EXPECT_GT(metric(r, "latency_p99_ms"), 0);
  EXPECT_GE(metric(r, "latency_max_ms"), metric(r, "latency_p99_ms"));
  EXPECT_GT(metric(r, "server_cpu_us_per_req"), 0);
  // Every one of wrk's connections was taken on (the verification's one came before the load).
  EXPECT_EQ(metric(r, "connections_served"), static_cast<double>(small.connections));
  EXPECT_EQ(metric(r, "connections_starved"), 0);
  EXPECT_GT(r.measured.answered, 0);
}

TEST(serve, the_iterative_server_starves_all_connections_but_one_and_says_so) {
  if (!http::wrk_binary()) GTEST_SKIP() << "wrk is not installed";
  const auto r = workload::run(models::sequential_model{}, small, models::config::defaults());
  EXPECT_EQ(workload::describe_diff(workload::reference(small), r), "");
  EXPECT_EQ(metric(r, "connections_served"), 1);
  EXPECT_EQ(metric(r, "connections_starved"), static_cast<double>(small.connections - 1));
}

TEST(serve, nginx_beside_the_models_is_verified_and_counted_as_they_are) {
  if (!http::wrk_binary()) GTEST_SKIP() << "wrk is not installed";
  const auto baselines = workload::baselines(small);
  ASSERT_EQ(baselines.size(), 1u);
  if (!baselines[0].unavailable.empty()) GTEST_SKIP() << baselines[0].unavailable;
  const auto run = baselines[0].self_timed();
  EXPECT_EQ(run.problem, "");
  const auto value = [&](const std::string& name) {
    for (const auto& [n, v] : run.measured)
      if (n == name) return v;
    ADD_FAILURE() << "no metric " << name;
    return -1.0;
  };
  EXPECT_EQ(value("connections_served"), static_cast<double>(small.connections));
  EXPECT_GT(value(std::string(us_per_request)), 0);
  EXPECT_GT(value("server_cpu_us_per_req"), 0);
}

// A server in this process: a thread answering from `answers` (or closing every connection
// unanswered when it has none), on a listener of its own.
class test_server final : public site_server {
 public:
  explicit test_server(const site_answers* answers) : answers_(answers) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof a;
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(listener_, 64), 0);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &length);
    port_ = ntohs(a.sin_port);
    thread_ = std::jthread([this] {
      for (;;) {
        const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;  // the listener was shut down
        if (answers_)
          serve_blocking(fd, *answers_, counters_);
        else
          ::close(fd);
      }
    });
  }
  ~test_server() override {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  std::uint16_t port() const override { return port_; }
  std::vector<pid_t> pids() const override { return {::getpid()}; }
  std::string ended() const override { return ""; }
  counts served() const override { return {counters_.accepted, counters_.answered}; }

 private:
  const site_answers* answers_;
  server_counters counters_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::jthread thread_;
};

TEST(serve, a_server_answering_another_site_fails_with_a_readable_diff) {
  if (!http::wrk_binary()) GTEST_SKIP() << "wrk is not installed";
  auto other = small.site;
  other.seed = 2;
  const http::site site(other, "127.0.0.1", 0);
  const site_answers answers(site);
  const test_server server(&answers);
  const auto r = measure(server, small, "test");
  const auto diff = workload::describe_diff(workload::reference(small), r);
  EXPECT_NE(diff.find("pages[0]: expected /page/0 200 "), std::string::npos) << diff;
  EXPECT_NE(diff.find(", got /page/0 200 "), std::string::npos) << diff;
}

TEST(serve, a_server_that_never_answers_fails_after_its_first_page) {
  const test_server server(nullptr);
  const auto r = measure(server, small, "test");
  ASSERT_EQ(r.pages.size(), 1u);
  const auto diff = workload::describe_diff(workload::reference(small), r);
  EXPECT_NE(diff.find("expected 20 elements, got 1"), std::string::npos) << diff;
  EXPECT_NE(diff.find("pages[0]: expected /page/0 200"), std::string::npos) << diff;
  EXPECT_NE(diff.find("got /page/0 no answer"), std::string::npos) << diff;
  EXPECT_NE(diff.find("the verification stopped"), std::string::npos) << diff;
}

TEST(serve, a_model_server_that_was_killed_is_started_again) {
  if (!http::wrk_binary()) GTEST_SKIP() << "wrk is not installed";
  const auto config = models::config::defaults();
  auto& first = model_server("coroutines", small.site, config);
  const pid_t before = first.pids().front();
  ::kill(before, SIGKILL);
  while (first.ended().empty()) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_NE(first.ended().find("killed by signal 9"), std::string::npos) << first.ended();
  auto& again = model_server("coroutines", small.site, config);
  EXPECT_NE(again.pids().front(), before);
  const auto r = workload::run(models::coroutines_model{}, small, config);
  EXPECT_EQ(workload::describe_diff(workload::reference(small), r), "");
}

}  // namespace
}  // namespace concur::serve
