// Redirects, followed by fetch and crawl in every model against a tiny loopback server written
// here (raw sockets, one connection at a time, each answer closing its connection): chains,
// relative Locations with dot segments and fragments, loops, the limit, and the crawl's rules
// for pages reached by a redirect and for links to other hosts.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include "tests/support.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {
namespace {

using namespace std::chrono_literals;

// What the server answers for a target: (status line, Location, body).
struct answer {
  std::string status = "404 Not Found";
  std::string location;
  std::string body = "not found";
};

answer route(const std::string& target, std::uint16_t port) {
  if (target.starts_with("/r/")) {  // /r/N redirects to /r/N-1; /r/0 is a page
    const int n = std::stoi(target.substr(3));
    if (n == 0) return {"200 OK", "", "end of the chain"};
    return {"302 Found", fmt::format("/r/{}", n - 1), ""};
  }
  const std::map<std::string, answer> pages{
      {"/loop/a", {"301 Moved Permanently", "b", ""}},
      {"/loop/b",
       {"308 Permanent Redirect", fmt::format("http://127.0.0.1:{}/loop/a#x", port), ""}},
      {"/self", {"303 See Other", "/self", ""}},
      {"/rel", {"307 Temporary Redirect", "x/../target.html#frag", ""}},
      {"/target.html", {"200 OK", "", "<p>target</p>"}},
      {"/index.html",
       {"200 OK", "",
        "<a href=r/2>chain</a><a href=loop/a>loop</a><a href=rel>rel</a>"
        "<a href=http://other.invalid/x>off-host</a><a href=page2.html>page 2</a>"}},
      // Links to pages that redirects reached at depth 1: not fetched again.
      {"/page2.html",
       {"200 OK", "", "<a href=/r/0>chain's end</a><a href=target.html>t</a><a href=new>n</a>"}},
  };
  const auto it = pages.find(target);
  return it == pages.end() ? answer{} : it->second;
}

// Serves route() on a loopback port until destroyed; every answer closes its connection.
class redirect_server {
 public:
  redirect_server() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 64) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &length) != 0)
      throw std::runtime_error("redirect_server: cannot listen");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~redirect_server() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url(const std::string& target) const {
    return fmt::format("http://127.0.0.1:{}{}", port_, target);
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      answer_one(c);
      ::close(c);
    }
  }
  void answer_one(int c) {
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) return;
      const auto n = ::read(c, buffer, sizeof buffer);
      if (n <= 0) return;
      request.append(buffer, static_cast<std::size_t>(n));
    }
    const auto start = request.find(' ') + 1;
    const auto a = route(request.substr(start, request.find(' ', start) - start), port_);
    std::string out = fmt::format("HTTP/1.1 {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                                  a.status, a.body.size());
    if (!a.location.empty()) out += fmt::format("Location: {}\r\n", a.location);
    out += "\r\n" + a.body;
    for (std::size_t sent = 0; sent < out.size();) {
      const auto n = ::write(c, out.data() + sent, out.size() - sent);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(redirects, are_followed_to_the_limit_and_loops_stopped_in_every_model) {
  const redirect_server server;
  const std::vector<std::string> urls{server.url("/r/2"), server.url("/r/25"),
                                      server.url("/loop/a"), server.url("/self"),
                                      server.url("/rel#top")};
  testing::for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto get = make_getter(m, {.concurrency = 3, .timeout = 2s, .keep_bodies = true},
                                 models::config::defaults(), tally);
    const auto r = fetch(get, urls, tally);
    const std::vector<std::string> want{
        fmt::format("200 16 bytes #{:016x} {} -> {} (2 redirects)", body_hash("end of the chain"),
                    urls[0], server.url("/r/0")),
        fmt::format("too many redirects {} -> {} (20 redirects)", urls[1], server.url("/r/5")),
        fmt::format("redirect loop {} -> {} (1 redirect)", urls[2], server.url("/loop/b")),
        fmt::format("redirect loop {}", urls[3]),
        fmt::format("200 13 bytes #{:016x} {} -> {} (1 redirect)", body_hash("<p>target</p>"),
                    urls[4], server.url("/target.html")),
    };
    std::vector<std::string> got;
    for (const auto& p : r.pages) got.push_back(describe(p));
    EXPECT_EQ(got, want) << M::name;
    // Every hop is a request: 3 + 21 + 2 + 1 + 2.
    EXPECT_EQ(r.requests_sent, 29u) << M::name;
    const auto one = fetch(get, {urls[0]}, tally, 1);
    EXPECT_EQ(describe(one.pages.at(0)),
              fmt::format("too many redirects {} -> {} (1 redirect)", urls[0], server.url("/r/1")))
        << M::name;
  });
}

TEST(redirects, a_crawl_follows_them_and_fetches_each_page_once_in_every_model) {
  const redirect_server server;
  testing::for_each_model<concur::http::fetch_workload>([&]<class M>(M m) {
    client_tally tally;
    const auto get = make_getter(m, {.concurrency = 3, .timeout = 2s, .keep_bodies = true},
                                 models::config::defaults(), tally);
    const auto r = crawl(get, server.url("/index.html"), 2, tally);
    std::vector<std::string> got;
    for (const auto& v : r.visited) got.push_back(describe(v));
    const std::vector<std::string> want{
        fmt::format("0 200 {} bytes {}", route("/index.html", 0).body.size(),
                    server.url("/index.html")),
        fmt::format("1 redirect loop {} -> {} (1 redirect)", server.url("/loop/a"),
                    server.url("/loop/b")),
        fmt::format("2 404 9 bytes {}", server.url("/new")),
        fmt::format("1 200 {} bytes {}", route("/page2.html", 0).body.size(),
                    server.url("/page2.html")),
        fmt::format("1 200 16 bytes {}", server.url("/r/0")),
        fmt::format("1 200 16 bytes {} -> {} (2 redirects)", server.url("/r/2"),
                    server.url("/r/0")),
        fmt::format("1 200 13 bytes {} -> {} (1 redirect)", server.url("/rel"),
                    server.url("/target.html")),
        fmt::format("1 200 13 bytes {}", server.url("/target.html")),
    };
    EXPECT_EQ(got, want) << M::name;
    // index 1, r/2 3, loop/a 2, rel 2, page2 1, new 1: the pages redirects reached are not
    // fetched again for page2's links to them, and the other host is not visited.
    EXPECT_EQ(r.requests_sent, 10u) << M::name;
    const std::pair<std::string, std::string> off_host{server.url("/index.html"),
                                                       "http://other.invalid/x"};
    EXPECT_TRUE(std::find(r.edges.begin(), r.edges.end(), off_host) != r.edges.end()) << M::name;
  });
}

}  // namespace
}  // namespace concur::http
