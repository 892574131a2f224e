// The long-poll servers. The embedded one is Beast on Asio coroutines on one thread, in children
// forked for it (one, or k sharing its ports: SO_REUSEPORT): their listeners are made here, each
// child keeps only its own, and the kernel kills it with the thread that started it
// (PR_SET_PDEATHSIG).
#include "workloads/connections/server.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <malloc.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <system_error>
#include <tuple>
#include <utility>

#include "core/cpu_time.hpp"
#include "core/fork.hpp"
#include "models/loop.hpp"
#include "net/loop_socket.hpp"
#include "net/nginx.hpp"
#include "workloads/connections/limits.hpp"
#include "workloads/connections/readiness.hpp"

namespace concur::connections {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using loop::task;
using net::as_tuple;

constexpr const char* echo_module = "/usr/lib/nginx/modules/ngx_http_echo_module.so";

sockaddr_in loopback(std::size_t k, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK + static_cast<std::uint32_t>(k));
  return a;
}

std::size_t read_number(const char* path, std::size_t fallback) {
  std::ifstream in(path);
  std::size_t value = 0;
  return in >> value ? value : fallback;
}

// Whether the child `pid` has not ended (it is left to be waited for by its owner).
bool running(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == 0;
}

// "/c/<digits>" -> the digits; empty for any other target.
std::string_view index_of(std::string_view target) {
  if (!target.starts_with("/c/")) return {};
  const auto digits = target.substr(3);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return {};
  return digits;
}

// What the server answers a target, and after how long.
struct answer {
  bhttp::status status = bhttp::status::not_found;
  std::string body;
  std::chrono::microseconds after{0};
  bool keep_alive = false;
};

// /c/<i>: the long-poll's request, held for `hold`, answered and closed. /r/...: an exchange of
// a readiness run (readiness.hpp), answered after its delay on a connection kept alive. Anything
// else: 404 at once, and closed.
answer answer_to(std::string_view target, std::chrono::milliseconds hold) {
  if (const auto digits = index_of(target); !digits.empty())
    return {bhttp::status::ok, fmt::format("connection {}\n", digits), hold, false};
  if (auto exchange = answer_exchange(target)) {
    const bool ok = exchange->status == 200;
    return {ok ? bhttp::status::ok : bhttp::status::not_found, std::move(exchange->body),
            exchange->delay, ok};
  }
  return {bhttp::status::not_found, fmt::format("no such resource: {}\n", target), {}, false};
}

// Connections open in this server process (it has one thread). When the last closes, the heap's
// free pages go back to the kernel, so that the next run's RSS growth is its own.
std::size_t open_sessions = 0;
struct counted_session {
  counted_session() { ++open_sessions; }
  ~counted_session() {
    if (--open_sessions == 0) ::malloc_trim(0);
  }
  counted_session(const counted_session&) = delete;
  counted_session& operator=(const counted_session&) = delete;
};

// The answer's bytes (the status line, fields and body the Beast response it replaces carried),
// formatted at once into a buffer every connection of this server process shares: a long-poll's
// reply is ~120 bytes, with no fields container or serializer per connection. Valid until the
// next call.
std::string_view format_answer(const answer& a, unsigned version, bool keep_alive) {
  static std::string out;
  const auto status = static_cast<unsigned>(a.status);
  // HTTP/1.1 keeps a connection alive unless told; HTTP/1.0 closes one unless told.
  const std::string_view connection = version >= 11
                                          ? (keep_alive ? "" : "Connection: close\r\n")
                                          : (keep_alive ? "Connection: keep-alive\r\n" : "");
  out.clear();
  fmt::format_to(std::back_inserter(out),
                 "HTTP/{}.{} {} {}\r\nServer: concur-hold\r\nContent-Type: text/plain\r\n"
                 "Content-Length: {}\r\n{}\r\n{}",
                 version / 10, version % 10, status,
                 std::string_view(bhttp::obsolete_reason(a.status)), a.body.size(), connection,
                 a.body);
  return out;
}

// Sends an answer: at once when the socket has room (it always has for one this small), else
// awaited. The last answer of a connection goes with MSG_MORE, held back until the shutdown,
// which sends its FIN on the same segment: one packet and one acknowledgement fewer.
task<beast::error_code> send_answer(net::loop_socket& socket, std::string_view bytes, bool last) {
  beast::error_code ec;
  const std::size_t sent =
      socket.send(asio::buffer(bytes), last ? MSG_MORE : asio::socket_base::message_flags{}, ec);
  if (ec && ec != asio::error::would_block) co_return ec;
  if (sent < bytes.size()) {  // the rest copied: the bytes are the shared buffer
    const std::string rest(bytes.substr(sent));
    auto [error, n] = co_await asio::async_write(socket, asio::buffer(rest), as_tuple);
    ec = error;
  }
  co_return ec;
}

// Reads a request into `parser`. A connection's first is read from the bytes already there when
// they make it whole (a long-poll's client sends its request with its connect, so it is there at
// the accept); any other, or one still incomplete, is awaited.
task<beast::error_code> read_request(net::loop_socket& socket, beast::flat_buffer& buffer,
                                     bhttp::request_parser<bhttp::empty_body>& parser, bool first) {
  beast::error_code ec = asio::error::would_block;
  if (first) bhttp::read(socket, buffer, parser, ec);
  if (ec == asio::error::would_block) {
    auto [error, n] = co_await bhttp::async_read(socket, buffer, parser, as_tuple);
    ec = error;
  }
  co_return ec;
}

// A connection: each request read, held as its answer says, answered; closed after an answer
// that does not keep it alive (the server closes first, so the TIME_WAIT is the server's and the
// client's ephemeral ports are free again at once).
task<void> session(net::loop_socket socket, std::chrono::milliseconds hold) {
  const counted_session counted;
  beast::flat_buffer buffer;
  beast::error_code ec;
  socket.non_blocking(true, ec);
  for (bool again = !ec, first = true; again; first = false) {
    answer a;
    unsigned version = 11;
    bool keep_alive = false;
    {  // the parser and its fields are freed before the wait
      bhttp::request_parser<bhttp::empty_body> parser;
      if (co_await read_request(socket, buffer, parser, first)) break;
      const auto target = parser.get().target();
      a = answer_to({target.data(), target.size()}, hold);
      version = parser.get().version();
      keep_alive = parser.get().keep_alive();
    }
    // An idle long-poll holds no buffer while it waits (100,000 of them at the ladder's top).
    if (buffer.size() == 0) buffer.shrink_to_fit();
    if (a.after.count() > 0) {
      loop::steady_timer timer(socket.get_executor(), a.after);
      co_await timer.async_wait(as_tuple);
    }
    again = a.keep_alive && keep_alive;
    again = !co_await send_answer(socket, format_answer(a, version, again), !again) && again;
  }
  socket.shutdown(net::tcp::socket::shutdown_send, ec);
  socket.close(ec);
}

task<void> accept_loop(net::loop_acceptor acceptor, std::chrono::milliseconds hold) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(as_tuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {  // out of descriptors, or a connection reset before accept: pause, keep serving
      loop::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(20));
      co_await pause.async_wait(as_tuple);
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), hold), asio::detached);
  }
}

// The child's whole life: serve on the listeners until killed.
[[noreturn]] void serve(const std::vector<int>& listeners, std::chrono::milliseconds hold) {
  try {
    asio::io_context ctx(1);
    for (const int fd : listeners)
      asio::co_spawn(ctx, accept_loop(net::loop_acceptor(ctx, net::tcp::v4(), fd), hold),
                     asio::detached);
    ctx.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "connections server: %s\n", e.what());
    ::_exit(1);
  }
  ::_exit(0);
}

// In the forked child, before anything else: no handler of the parent's runs here, the child
// dies with the thread that forked it, and it holds no descriptor of the parent's but its
// listeners (a socket the parent closes must really close).
void become_server_process(pid_t parent, std::vector<int> keep) {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  action.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &action, nullptr);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(1);
  std::sort(keep.begin(), keep.end());
  unsigned next = 3;
  for (const int fd : keep) {
    if (static_cast<unsigned>(fd) > next) ::close_range(next, static_cast<unsigned>(fd) - 1, 0);
    next = static_cast<unsigned>(fd) + 1;
  }
  ::close_range(next, ~0U, 0);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

class embedded_server final : public server {
 public:
  // The listeners are made here, before the forks: every process's on an address share its port.
  embedded_server(std::chrono::milliseconds hold, std::size_t processes) : listeners_(processes) {
    raise_descriptor_limit();
    try {
      for (std::size_t k = 0; k < max_addresses; ++k) {
        std::uint16_t port = 0;
        for (auto& own : listeners_) own.push_back(listen_on(k, port));
        endpoints_.push_back(loopback(k, port));
      }
      for (auto& own : listeners_) fork_server(own, hold);
    } catch (...) {
      stop();
      throw;
    }
  }

  ~embedded_server() override { stop(); }

  const std::vector<sockaddr_in>& endpoints() const override { return endpoints_; }
  std::vector<pid_t> pids() const override { return pids_; }
  bool alive() const override { return std::all_of(pids_.begin(), pids_.end(), running); }

 private:
  // A listener on 127.0.0.<k+1>:port (port 0: a free one, which `port` is then set to).
  static int listen_on(std::size_t k, std::uint16_t& port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::system_error(errno, std::system_category(), "socket");
    sockaddr_in a = loopback(k, port);
    socklen_t length = sizeof a;
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(fd, SOMAXCONN) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length) != 0) {
      const int error = errno;
      ::close(fd);
      throw std::system_error(error, std::system_category(),
                              fmt::format("listening on 127.0.0.{}", k + 1));
    }
    port = ntohs(a.sin_port);
    return fd;
  }

  // A server process serving on `own`, which this process then closes.
  void fork_server(std::vector<int>& own, std::chrono::milliseconds hold) {
    const pid_t pid = fork_with_signals_blocked([&](pid_t parent) {
      become_server_process(parent, own);
      serve(own, hold);
    });
    if (pid < 0) throw std::system_error(errno, std::system_category(), "fork");
    pids_.push_back(pid);
    for (const int fd : std::exchange(own, {})) ::close(fd);
  }

  void stop() {
    for (const pid_t pid : pids_) ::kill(pid, SIGKILL);
    for (const pid_t pid : pids_) ::waitpid(pid, nullptr, 0);
    pids_.clear();
    for (auto& own : listeners_)
      for (const int fd : std::exchange(own, {})) ::close(fd);
  }

  std::vector<std::vector<int>> listeners_;  // each process's, until it is forked
  std::vector<sockaddr_in> endpoints_;
  std::vector<pid_t> pids_;
};

class nginx_echo_server final : public server {
 public:
  nginx_echo_server(std::chrono::milliseconds hold, std::size_t processes)
      : nginx_(config(hold, raise_descriptor_limit(), processes)) {
    for (std::size_t k = 0; k < max_addresses; ++k)
      endpoints_.push_back(loopback(k, nginx_.port()));
  }
  const std::vector<sockaddr_in>& endpoints() const override { return endpoints_; }
  std::vector<pid_t> pids() const override { return nginx_.pids(); }
  bool alive() const override { return running(nginx_.pid()); }

 private:
  // `processes` workers, each with its own listening sockets (reuseport) past one.
  static net::nginx_server::custom_config config(std::chrono::milliseconds hold,
                                                 std::size_t descriptors, std::size_t processes) {
    // nginx allocates its connection array up front (~0.4 KiB each): room for the ladder's top.
    const std::size_t connections = std::min<std::size_t>(descriptors - 64, 1u << 17);
    return {
        .main =
            fmt::format("load_module {};\nworker_rlimit_nofile {};\n", echo_module, descriptors),
        .events = fmt::format("worker_connections {}; multi_accept on;", connections),
        .servers =
            [hold, processes](std::uint16_t port) {
              std::string listen;
              for (std::size_t k = 1; k <= max_addresses; ++k)
                listen += fmt::format("    listen 127.0.0.{}:{} backlog=65535{};\n", k, port,
                                      processes > 1 ? " reuseport" : "");
              return fmt::format(
                  "  server {{\n{}"
                  "    location ~ ^/c/(\\d+)$ {{ echo_sleep {:.3f}; echo \"connection $1\"; }}\n"
                  "    location / {{ return 404; }}\n  }}\n",
                  listen, std::chrono::duration<double>(hold).count());
            },
        .worker_processes = static_cast<unsigned>(processes)};
  }

  net::nginx_server nginx_;
  std::vector<sockaddr_in> endpoints_;
};

}  // namespace

std::string nginx_unavailable() {
  if (!net::nginx_server::binary()) return "nginx is not installed (apt-get install nginx-light)";
  if (!std::filesystem::exists(echo_module))
    return fmt::format(
        "nginx's echo module ({}) is not installed (apt-get install "
        "libnginx-mod-http-echo)",
        echo_module);
  return "";
}

std::size_t addresses_for(std::size_t connections) {
  static const std::size_t backlog = read_number("/proc/sys/net/core/somaxconn", 4096);
  return std::clamp<std::size_t>((connections + backlog - 1) / backlog, 1, max_addresses);
}

double server::cpu_seconds() const {
  double sum = 0;
  for (const pid_t pid : pids()) {
    clockid_t clock{};
    if (::clock_getcpuclockid(pid, &clock) == 0) sum += cpu_time::of_clock(clock);
  }
  return sum;
}

long long server::resident_bytes() const {
  long long sum = 0;
  for (const pid_t pid : pids()) sum += kernel::status_bytes(pid, "VmRSS");
  return sum;
}

void server::start_peaks() {
  if (!idle_bytes_) idle_bytes_ = resident_bytes();
  reset_ = true;
  for (const pid_t pid : pids()) reset_ = kernel::reset_peak_resident(pid) && reset_;
}

long long server::peak_growth() const {
  if (!reset_ || !idle_bytes_) return 0;
  long long sum = 0;
  for (const pid_t pid : pids()) sum += kernel::status_bytes(pid, "VmHWM");
  return std::max(0LL, sum - *idle_bytes_);
}

server& shared_server(server_kind kind, std::chrono::milliseconds hold, std::size_t processes) {
  static std::mutex mutex;
  static std::map<std::tuple<server_kind, std::int64_t, std::size_t>, std::unique_ptr<server>>
      servers;
  std::scoped_lock lock(mutex);
  auto& slot = servers[{kind, hold.count(), processes}];
  if (slot && !slot->alive()) slot.reset();
  if (!slot) {
    if (kind == server_kind::nginx)
      slot = std::make_unique<nginx_echo_server>(hold, processes);
    else
      slot = std::make_unique<embedded_server>(hold, processes);
  }
  return *slot;
}

}  // namespace concur::connections
