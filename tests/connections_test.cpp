// The connections workload beyond the matrix's check of every model at N = 1,000: what a run
// measures, the sequential client holding every connection at once, and the OS refusing
// descriptors, up front and in the middle of a run, in every model.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/cpu_time.hpp"
#include "tests/support.hpp"
#include "workloads/connections/connections.hpp"
#include "workloads/connections/limits.hpp"
#include "workloads/connections/server.hpp"

namespace concur::connections {
namespace {

using std::chrono::milliseconds;

constexpr params small{1'000, milliseconds(50)};

double metric(const result& r, const std::string& name) {
  for (const auto& [n, v] : workload::metrics(r))
    if (n == name) return v;
  ADD_FAILURE() << "no metric " << name;
  return -1;
}

// Why this user may not have the descriptors n connections need; empty when it may.
std::string too_few_descriptors(std::size_t n) {
  const std::size_t limit = raise_descriptor_limit();
  if (limit >= n + 256) return "";
  return "RLIMIT_NOFILE is " + std::to_string(limit) + ", too low for " + std::to_string(n) +
         " connections";
}

// Lowers RLIMIT_NOFILE's soft limit for one scope (the server is started first: it would
// inherit the lowered limit).
class lowered_descriptor_limit {
 public:
  explicit lowered_descriptor_limit(rlim_t soft) {
    ::getrlimit(RLIMIT_NOFILE, &before_);
    const rlimit lowered{soft, before_.rlim_max};
    ::setrlimit(RLIMIT_NOFILE, &lowered);
  }
  ~lowered_descriptor_limit() { ::setrlimit(RLIMIT_NOFILE, &before_); }

 private:
  rlimit before_{};
};

TEST(connections, a_run_reports_its_limits_and_costs) {
  if (const auto why = too_few_descriptors(small.connections); !why.empty()) GTEST_SKIP() << why;
  const auto r = workload::run(models::coroutines_model{}, small, models::config::defaults());
  ASSERT_EQ(r, workload::reference(small))
      << workload::describe_diff(workload::reference(small), r);
  EXPECT_EQ(metric(r, "rlimit_nofile"), static_cast<double>(raise_descriptor_limit()));
  EXPECT_GE(metric(r, "addresses"), 1);
  EXPECT_GT(metric(r, "open_at_peak"), 0);
  EXPECT_LE(metric(r, "open_at_peak"), 1'000);
  EXPECT_GT(metric(r, "client_cpu_us_per_conn"), 0);
  EXPECT_GT(metric(r, "server_cpu_us_per_conn"), 0);
}

// Every connection is opened before any reply is read: all N are open at once, whatever the
// speed of the machine.
TEST(connections, the_sequential_client_holds_every_connection_at_once) {
  if (const auto why = too_few_descriptors(small.connections); !why.empty()) GTEST_SKIP() << why;
  const auto r = workload::run(models::sequential_model{}, small, models::config::defaults());
  ASSERT_EQ(r, workload::reference(small))
      << workload::describe_diff(workload::reference(small), r);
  EXPECT_EQ(metric(r, "open_at_peak"), 1'000);
}

TEST(connections, too_few_descriptors_refuses_the_run_before_it_starts) {
  if (const auto why = too_few_descriptors(small.connections); !why.empty()) GTEST_SKIP() << why;
  workload::run(models::coroutines_model{}, {10, milliseconds(1)}, models::config::defaults());
  const lowered_descriptor_limit limit(600);
  try {
    workload::run(models::coroutines_model{}, small, models::config::defaults());
    FAIL() << "no refusal";
  } catch (const resource_exhausted& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("1000 connections need 1256 descriptors; RLIMIT_NOFILE is 600"),
              std::string::npos)
        << what;
  }
}

// The check up front passes, then only 50 descriptors are left: a connection is refused while
// the first ones are still held. The hold (2 s) is what makes that so on a loaded machine: 51
// connections must be open at once, and a thread per connection under ThreadSanitizer beside
// other work can take longer than a shorter hold to start 51. Every model reports the refusal
// (which connection, the limit), ends its other connections, and the next run works.
TEST(connections, descriptors_running_out_mid_run_is_a_refusal_in_every_model) {
  const params p{1'000, milliseconds(2'000)};
  const std::size_t limit = p.connections + 256;
  if (testing::built_with_ubsan_vptr_check) GTEST_SKIP() << testing::no_descriptor_for_ubsan;
  if (const auto why = too_few_descriptors(p.connections); !why.empty()) GTEST_SKIP() << why;
  // The server with this hold starts here, before the descriptors are taken.
  workload::run(models::coroutines_model{}, {10, p.hold}, models::config::defaults());
  testing::for_each_model<concur::connections::workload>([&](auto model) {
    SCOPED_TRACE(std::string(decltype(model)::name));
    {
      const lowered_descriptor_limit lowered(limit);
      std::vector<int> taken;  // every descriptor below limit - 50
      for (int fd = 0; fd >= 0 && fd < static_cast<int>(limit) - 51;) {
        fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) taken.push_back(fd);
      }
      try {
        workload::run(model, p, models::config::defaults());
        ADD_FAILURE() << "no refusal";
      } catch (const resource_exhausted& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("the OS refused connection"), std::string::npos) << what;
        EXPECT_NE(what.find("of 1000"), std::string::npos) << what;
        EXPECT_NE(what.find("RLIMIT_NOFILE 1256"), std::string::npos) << what;
      }
      for (const int fd : taken) ::close(fd);
    }
    const params few{20, milliseconds(1)};
    EXPECT_EQ(workload::run(model, few, models::config::defaults()), workload::reference(few));
  });
}

// Past one process's descriptors (RLIMIT_NOFILE lowered to 600 here: 344 connections each) the
// processes model shards its connections over as many workers as they need, whatever the
// configured count, and the server runs as as many processes (SO_REUSEPORT, or nginx's workers),
// whose CPU and memory the run sums; a model of one process is refused.
TEST(connections, the_processes_client_and_the_servers_shard_past_a_descriptor_limit) {
  if (const auto why = too_few_descriptors(small.connections); !why.empty()) GTEST_SKIP() << why;
  auto config = models::config::defaults();
  config.worker_processes = 1;
  for (const auto server : {server_kind::embedded, server_kind::nginx}) {
    SCOPED_TRACE(server == server_kind::nginx ? "nginx" : "embedded");
    if (server == server_kind::nginx && !nginx_unavailable().empty()) continue;
    // A hold of its own: these servers, started under the lowered limit, serve no other test.
    const params p{1'000, milliseconds(70), server};
    const lowered_descriptor_limit limit(600);
    EXPECT_THROW(workload::run(models::coroutines_model{}, p, config), resource_exhausted);
    const auto r = workload::run(models::processes_model{}, p, config);
    ASSERT_EQ(r, workload::reference(p)) << workload::describe_diff(workload::reference(p), r);
    EXPECT_EQ(metric(r, "client_processes"), 3);  // ceil(1000 / 344)
    const auto servers = static_cast<std::size_t>(metric(r, "server_processes"));
    EXPECT_GE(servers, 3u);
    EXPECT_GT(metric(r, "open_at_peak"), 0);
    EXPECT_LE(metric(r, "open_at_peak"), 1'000);
    EXPECT_GT(metric(r, "client_cpu_us_per_conn"), 0);
    EXPECT_GT(metric(r, "server_cpu_us_per_conn"), 0);
    EXPECT_GT(metric(r, "server_bytes_per_conn"), 0);  // their peaks over their idle selves

    const auto& peer = shared_server(server, p.hold, servers);
    const auto pids = peer.pids();
    EXPECT_GE(pids.size(), servers);  // nginx's master besides its workers
    const auto each = [&] {
      double cpu = 0;
      long long largest = 0;
      for (const pid_t pid : pids) {
        clockid_t clock{};
        if (::clock_getcpuclockid(pid, &clock) == 0) cpu += cpu_time::of_clock(clock);
        largest = std::max(largest, kernel::status_bytes(pid, "VmRSS"));
      }
      return std::pair(cpu, largest);
    };
    const auto [cpu_before, largest] = each();
    const double summed = peer.cpu_seconds();
    const auto [cpu_after, unused] = each();
    EXPECT_GE(summed, cpu_before);  // CPU clocks only advance
    EXPECT_LE(summed, cpu_after);
    EXPECT_GT(peer.resident_bytes(), largest);  // more than one process's
  }
}

TEST(connections, a_wrong_reply_is_a_readable_diff) {
  const params p{5, milliseconds(1)};
  const auto expected = workload::reference(p);
  auto actual = expected;
  actual.replies[3] = {0, "connect: Connection refused"};
  std::swap(actual.replies[1].body, actual.replies[2].body);
  actual.closed = 4;
  const auto text = workload::describe_diff(expected, actual);
  EXPECT_NE(text.find("connections closed: expected 5, got 4"), std::string::npos) << text;
  EXPECT_NE(text.find("replies[1]: expected 200 \"connection 1\\n\", got 200 \"connection 2\\n\""),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("replies[3]: expected 200 \"connection 3\\n\", got no reply (connect: "
                      "Connection refused)"),
            std::string::npos)
      << text;
}

// Sends `pieces` one after another on a new connection to the embedded server (holding for 0),
// then reads until the server closes: every byte it answered.
std::string exchange_bytes(const std::vector<std::string>& pieces) {
  const sockaddr_in to = shared_server(server_kind::embedded, milliseconds(0)).endpoints().front();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const timeval patience{10, 0};  // a server that never answers fails the test, not hangs it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  std::string answer;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) {
    for (const auto& piece : pieces) {
      if (::send(fd, piece.data(), piece.size(), MSG_NOSIGNAL) < 0) break;
      std::this_thread::sleep_for(milliseconds(20));  // the next piece in a segment of its own
    }
    char buffer[512];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, n);
  }
  ::close(fd);
  return answer;
}

// The server formats its answers itself: they read as Beast's serializer would write them, for
// a request whole at the accept and for one arriving in pieces, over HTTP/1.1 and HTTP/1.0.
TEST(connections, the_embedded_server_answers_well_formed_http_and_closes) {
  const std::string fields = "Server: concur-hold\r\nContent-Type: text/plain\r\n";
  EXPECT_EQ(exchange_bytes({"GET /c/7 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"}),
            "HTTP/1.1 200 OK\r\n" + fields +
                "Content-Length: 13\r\nConnection: close\r\n\r\nconnection 7\n");
  EXPECT_EQ(exchange_bytes({"GET /c/12 HT", "TP/1.1\r\nHost: localhost\r\n", "\r\n"}),
            "HTTP/1.1 200 OK\r\n" + fields +
                "Content-Length: 14\r\nConnection: close\r\n\r\nconnection 12\n");
  EXPECT_EQ(exchange_bytes({"GET /c/3 HTTP/1.0\r\n\r\n"}),
            "HTTP/1.0 200 OK\r\n" + fields + "Content-Length: 13\r\n\r\nconnection 3\n");
  EXPECT_EQ(exchange_bytes({"GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n"}),
            "HTTP/1.1 404 Not Found\r\n" + fields +
                "Content-Length: 27\r\nConnection: close\r\n\r\nno such resource: /nowhere\n");
}

}  // namespace
}  // namespace concur::connections
