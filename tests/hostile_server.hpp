#pragma once
// A scripted loopback HTTP server for client tests: it answers each request path with canned
// bytes, as written, then keeps the connection, closes it, or streams chunks until the client
// gives up. What no well-behaved server does (interim responses, garbage, a close mid-body, an
// endless body, a huge header) is one entry of its script. It listens on 127.0.0.1 and, when the
// machine has it, on [::1] at the same port; a thread accepts, and a thread serves each
// connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace concur::testing {

struct canned_answer {
  enum class then { keep_open, close, endless_chunks };
  std::string bytes;  // written as is, whatever they are
  then after = then::keep_open;
  std::chrono::milliseconds delay{0};  // before the bytes
};

class hostile_server {
 public:
  explicit hostile_server(std::map<std::string, canned_answer> script)
      : script_(std::move(script)) {
    v4_ = listen_on(AF_INET, 0);
    if (v4_ < 0) throw std::runtime_error("hostile_server: cannot listen on 127.0.0.1");
    sockaddr_in a{};
    socklen_t length = sizeof a;
    ::getsockname(v4_, reinterpret_cast<sockaddr*>(&a), &length);
    port_ = ntohs(a.sin_port);
    v6_ = listen_on(AF_INET6, port_);  // -1 without IPv6 loopback (or the port taken there)
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~hostile_server() {
    stop_ = true;
    acceptor_.join();
    {
      std::scoped_lock lock(mutex_);
      for (int fd : open_) ::shutdown(fd, SHUT_RDWR);  // ends blocked writes and reads
    }
    for (auto& t : sessions_) t.join();
    for (int fd : {v4_, v6_})
      if (fd >= 0) ::close(fd);
  }
  hostile_server(const hostile_server&) = delete;
  hostile_server& operator=(const hostile_server&) = delete;

  std::uint16_t port() const { return port_; }
  bool has_ipv6() const { return v6_ >= 0; }
  std::string url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return "http://" + host + ":" + std::to_string(port_) + path;
  }
  std::size_t connections() const { return connections_; }

 private:
  static int listen_on(int family, std::uint16_t port) {
    const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_storage s{};
    socklen_t length = 0;
    if (family == AF_INET) {
      auto& a = reinterpret_cast<sockaddr_in&>(s);
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      length = sizeof a;
    } else {
      ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
      auto& a = reinterpret_cast<sockaddr_in6&>(s);
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(port);
      a.sin6_addr = in6addr_loopback;
      length = sizeof a;
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&s), length) != 0 || ::listen(fd, 512) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  void accept_loop() {
    std::vector<pollfd> fds{{v4_, POLLIN, 0}};
    if (v6_ >= 0) fds.push_back({v6_, POLLIN, 0});
    while (!stop_) {
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      for (const auto& p : fds) {
        if (!(p.revents & POLLIN)) continue;
        const int fd = ::accept4(p.fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        ++connections_;
        std::scoped_lock lock(mutex_);
        open_.push_back(fd);
        sessions_.emplace_back([this, fd] { serve(fd); });
      }
    }
  }

  // Reads requests (a request line and header, no body) and answers each by its path.
  void serve(int fd) {
    std::string in;
    char buffer[4096];
    for (bool open = true; open && !stop_;) {
      const auto end = in.find("\r\n\r\n");
      if (end == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        in.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      const auto first_space = in.find(' ');
      const auto path = in.substr(first_space + 1, in.find(' ', first_space + 1) - first_space - 1);
      in.erase(0, end + 4);
      open = answer(fd, path);
    }
    {
      std::scoped_lock lock(mutex_);
      std::erase(open_, fd);
    }
    ::close(fd);
  }

  // False when the connection is to be closed.
  bool answer(int fd, const std::string& path) {
    const auto it = script_.find(path);
    if (it == script_.end())
      return send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    const auto& a = it->second;
    std::this_thread::sleep_for(a.delay);
    if (!send_all(fd, a.bytes)) return false;
    if (a.after == canned_answer::then::endless_chunks) {
      const std::string chunk = "1000\r\n" + std::string(0x1000, 'x') + "\r\n";
      while (!stop_ && send_all(fd, chunk)) {
      }
      return false;
    }
    return a.after == canned_answer::then::keep_open;
  }

  static bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  const std::map<std::string, canned_answer> script_;
  int v4_ = -1, v6_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> connections_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> open_;  // sessions' descriptors, shut down on destruction
  std::vector<std::thread> sessions_;
};

}  // namespace concur::testing
