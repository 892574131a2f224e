#include "workloads/serve/server_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "core/cleanup.hpp"
#include "core/cpu_time.hpp"
#include "core/process.hpp"
#include "net/nginx.hpp"
#include "workloads/connections/connections.hpp"
#include "workloads/connections/limits.hpp"
#include "workloads/serve/protocol.hpp"

namespace concur::serve {
namespace {

namespace kernel = connections::kernel;

// How long a server may take to say it is ready (a prefork server forks its workers first).
constexpr auto ready_timeout = std::chrono::seconds(10);

// A descriptor closed with this object.
class descriptor {
 public:
  explicit descriptor(int fd = -1) : fd_(fd) {}
  ~descriptor() { reset(); }
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

void check(bool ok, const char* what) {
  if (!ok) throw std::system_error(errno, std::system_category(), what);
}

// A listener on 127.0.0.1 at a free port, SO_REUSEPORT so that a prefork server's workers can
// each open their own on it; the backlog as deep as the kernel allows (net.core.somaxconn).
int make_listener(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  check(fd >= 0, "socket");
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 65535) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length) != 0) {
    const int error = errno;
    ::close(fd);
    throw std::system_error(error, std::system_category(), "listening on 127.0.0.1");
  }
  port = ntohs(a.sin_port);
  return fd;
}

// Why process `pid` ended, without reaping it; empty while it runs.
std::string end_of(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
    return "it is gone";
  if (info.si_pid == 0) return "";
  if (info.si_code == CLD_EXITED) return fmt::format("it exited with status {}", info.si_status);
  return fmt::format("it was killed by signal {} ({})", info.si_status,
                     ::sigdescr_np(info.si_status) ? ::sigdescr_np(info.si_status) : "?");
}

// Reads the child's "ready PID..." line from `fd` within the timeout; the pids it names.
std::vector<pid_t> await_ready(int fd, pid_t pid, const std::string& name) {
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + ready_timeout;
  while (!line.ends_with('\n')) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0)
      throw std::runtime_error(fmt::format("the {} server did not say it was ready within {} s",
                                           name, ready_timeout.count()));
    char chunk[256];
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::waitpid(pid, nullptr, WNOHANG);
      throw std::runtime_error(
          fmt::format("the {} server ended before it was ready ({})", name, end_of(pid)));
    }
    line.append(chunk, static_cast<std::size_t>(n));
  }
  std::istringstream in(line);
  std::string word;
  in >> word;
  if (word != "ready") throw std::runtime_error("the server said: " + line);
  std::vector<pid_t> pids;
  for (long p; in >> p;) pids.push_back(static_cast<pid_t>(p));
  if (pids.empty()) throw std::runtime_error("the server named no process: " + line);
  return pids;
}

// concur-server's command line (server/main.cpp reads it).
std::vector<std::string> server_argv(std::string_view model, int listener, std::uint16_t port,
                                     int counters, const http::site_spec& spec,
                                     const models::config& c) {
  std::vector<std::string> argv{server_program(), "--model", std::string(model)};
  const std::pair<const char*, std::size_t> numbers[] = {{"listener", listener},
                                                         {"port", port},
                                                         {"counters", counters},
                                                         {"pages", spec.pages},
                                                         {"fanout", spec.fanout},
                                                         {"seed", spec.seed},
                                                         {"body", spec.body_bytes},
                                                         {"pool-threads", c.pool_threads},
                                                         {"worker-threads", c.worker_threads},
                                                         {"worker-processes", c.worker_processes}};
  for (const auto& [name, value] : numbers)
    argv.insert(argv.end(), {std::string("--") + name, std::to_string(value)});
  return argv;
}

class spawned_process final : public site_server {
 public:
  spawned_process(const std::string& name, const server_command& argv) {
    connections::raise_descriptor_limit();  // inherited by the server: C descriptors and more
    descriptor listener(make_listener(port_));
    descriptor shared(::memfd_create("concur-serve-counters", MFD_CLOEXEC));
    check(shared.get() >= 0, "memfd_create");
    check(::ftruncate(shared.get(), sizeof(server_counters)) == 0, "ftruncate");
    void* mapped = ::mmap(nullptr, sizeof(server_counters), PROT_READ | PROT_WRITE, MAP_SHARED,
                          shared.get(), 0);
    check(mapped != MAP_FAILED, "mmap");
    counters_ = new (mapped) server_counters;
    int ready[2];
    check(::pipe2(ready, O_CLOEXEC) == 0, "pipe");
    descriptor ready_read(ready[0]), ready_write(ready[1]);
    // The listener and the counters go to the server (the only descriptors it inherits).
    ::fcntl(listener.get(), F_SETFD, 0);
    ::fcntl(shared.get(), F_SETFD, 0);
    pid_ = process::detail::spawn(argv(listener.get(), port_, shared.get()), ready_write.get(),
                                  process::detail::to_parent);
    ready_write.reset();
    try {
      pids_ = await_ready(ready_read.get(), pid_, name);
    } catch (...) {
      stop();
      throw;
    }
  }
  ~spawned_process() override { stop(); }

  std::uint16_t port() const override { return port_; }
  std::vector<pid_t> pids() const override { return pids_; }
  std::string ended() const override { return end_of(pid_); }
  counts served() const override {
    return {counters_->accepted.load(), counters_->answered.load()};
  }

 private:
  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (counters_) ::munmap(counters_, sizeof(server_counters));
    counters_ = nullptr;
  }

  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::vector<pid_t> pids_;
  server_counters* counters_ = nullptr;
};

// nginx's own counts (stub_status: "Active connections: 1\nserver accepts handled requests\n
// 5 5 17\n..."), read over a connection of their own.
site_server::counts read_status(std::uint16_t port) {
  descriptor fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const timeval limit{.tv_sec = 5, .tv_usec = 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  const std::string_view ask = "GET /concur-status HTTP/1.0\r\n\r\n";
  std::string reply;
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::send(fd.get(), ask.data(), ask.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(ask.size()))
    for (char chunk[512]; const ssize_t n = ::recv(fd.get(), chunk, sizeof chunk, 0);) {
      if (n < 0) break;
      reply.append(chunk, static_cast<std::size_t>(n));
    }
  unsigned long long accepts = 0, handled = 0, requests = 0;
  const auto at = reply.find("requests\n");
  if (at == std::string::npos ||
      std::sscanf(reply.c_str() + at + 9, "%llu %llu %llu", &accepts, &handled, &requests) != 3)
    throw std::runtime_error("cannot read nginx's counts: " + reply);
  return {accepts, requests};
}

// Where nginx's copy of the site goes: in memory (/dev/shm) unless TMPDIR says otherwise, so that
// no cell's drop of the page cache makes nginx read it from disk again.
std::string export_base() {
  const char* tmpdir = std::getenv("TMPDIR");
  if (!(tmpdir && *tmpdir) && ::access("/dev/shm", W_OK) == 0) return "/dev/shm";
  return cleanup::temp_base();
}

class nginx_process final : public site_server {
 public:
  explicit nginx_process(const http::site_spec& spec)
      : site_(spec, "127.0.0.1", 0), root_("concur-serve-site", export_base()) {
    http::export_site(site_, root_.path());
    nginx_.emplace(config(root_.path(), connections::raise_descriptor_limit()));
  }
  std::uint16_t port() const override { return nginx_->port(); }
  std::vector<pid_t> pids() const override { return nginx_->pids(); }
  std::string ended() const override { return end_of(nginx_->pid()); }
  counts served() const override {
    const auto c = read_status(nginx_->port());
    const std::uint64_t readings = ++readings_;  // this one's connection and request included
    return {c.accepted - std::min(c.accepted, readings),
            c.answered - std::min(c.answered, readings)};
  }

 private:
  // One worker (master_process off), as many connections as descriptors allow, the pages'
  // descriptors kept open, keep-alive without a request limit.
  static net::nginx_server::custom_config config(const std::string& root, std::size_t descriptors) {
    return {.main = fmt::format("worker_rlimit_nofile {};\n", descriptors),
            .events = fmt::format("worker_connections {}; multi_accept on;", descriptors - 64),
            .servers = [root](std::uint16_t port) {
              return fmt::format(
                  "  keepalive_requests 1000000;\n"
                  "  open_file_cache max=100000 inactive=60s;\n"
                  "  types {{ }}\n  default_type text/html;\n"
                  "  server {{\n    listen 127.0.0.1:{} backlog=65535;\n    root \"{}\";\n"
                  "    location = /concur-status {{ stub_status; }}\n  }}\n",
                  port, root);
            }};
  }

  http::site site_;
  cleanup::owned_temp_dir root_;
  std::optional<net::nginx_server> nginx_;
  mutable std::uint64_t readings_ = 0;
};

}  // namespace

double site_server::cpu_seconds() const {
  double sum = 0;
  for (const pid_t pid : pids()) {
    clockid_t clock{};
    if (::clock_getcpuclockid(pid, &clock) == 0) sum += cpu_time::of_clock(clock);
  }
  return sum;
}

long long site_server::resident_bytes() const {
  long long sum = 0;
  for (const pid_t pid : pids()) sum += kernel::status_bytes(pid, "VmRSS");
  return sum;
}

bool site_server::reset_peaks() const {
  bool all = true;
  for (const pid_t pid : pids()) all = kernel::reset_peak_resident(pid) && all;
  return all;
}

long long site_server::peak_bytes() const {
  long long sum = 0;
  for (const pid_t pid : pids()) sum += kernel::status_bytes(pid, "VmHWM");
  return sum;
}

std::string server_program() {
  if (const char* path = std::getenv("CONCUR_SERVER"); path && *path) return path;
  return CONCUR_SERVER;
}

std::string nginx_unavailable() {
  return net::nginx_server::binary() ? "" : "nginx is not installed (apt-get install nginx-light)";
}

site_server& spawned_server(const std::string& key, const server_command& argv) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<site_server>> servers;
  std::scoped_lock lock(mutex);
  auto& slot = servers[key];
  if (slot && !slot->ended().empty()) slot.reset();
  if (!slot) slot = std::make_unique<spawned_process>(key, argv);
  return *slot;
}

site_server& model_server(std::string_view model, const http::site_spec& spec,
                          const models::config& c) {
  return spawned_server(fmt::format("{} ({}; {} {} {})", model, spec.key(), c.pool_threads,
                                    c.worker_threads, c.worker_processes),
                        [&](int listener, std::uint16_t port, int counters) {
                          return server_argv(model, listener, port, counters, spec, c);
                        });
}

site_server& nginx_server(const http::site_spec& spec) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<site_server>> servers;
  std::scoped_lock lock(mutex);
  auto& slot = servers[spec.key()];
  if (slot && !slot->ended().empty()) slot.reset();
  if (!slot) slot = std::make_unique<nginx_process>(spec);
  return *slot;
}

}  // namespace concur::serve
