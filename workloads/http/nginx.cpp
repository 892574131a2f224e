#include "workloads/http/nginx.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/cpu_time.hpp"
#include "core/process.hpp"
#include "workloads/http/server.hpp"

extern char** environ;

namespace concur::http {
namespace {

namespace fs = std::filesystem;

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// A port free a moment ago (nginx binds it next; a clash shows up as nginx failing to start).
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = loopback(0);
  socklen_t length = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length);
  ::close(fd);
  return ntohs(a.sin_port);
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in a = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// Starts argv[0] in a child process the kernel kills (SIGKILL) when its parent dies, so that a
// test or bench killed with SIGKILL leaves no nginx behind. argv is built before the fork: the
// child makes only async-signal-safe calls until it execs. Returns the pid, or -1.
pid_t spawn_tied_to_this_thread(const std::vector<char*>& argv) {
  const pid_t parent = ::getpid();
  sigset_t none;
  ::sigemptyset(&none);
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) ::_exit(127);
  // The parent may have died before prctl: then the signal will never come.
  if (::getppid() != parent) ::_exit(127);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // not the forking thread's mask: nginx needs TERM
  ::execve(argv[0], argv.data(), environ);
  ::_exit(127);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::optional<std::string> nginx_server::binary() {
  return process::find_program("nginx", {"/usr/sbin", "/usr/local/sbin"});
}

nginx_server::nginx_server(const site& s) : site_(&s) {
  make_directory();
  export_site(s, dir_ + "/site");
  start(dir_ + "/site", "types { }\n  default_type text/html;\n");
}

nginx_server::nginx_server(const existing_directory& d) {
  make_directory();
  const std::string mime_types = "/etc/nginx/mime.types";
  start(d.root, fs::exists(mime_types)
                    ? "include " + mime_types + ";\n  default_type application/octet-stream;\n"
                    : "types { text/html html htm; }\n  default_type text/plain;\n");
}

void nginx_server::make_directory() {
  if (!binary()) throw std::runtime_error("nginx is not installed (apt-get install nginx-light)");
  std::string pattern = (fs::temp_directory_path() / "concur-nginx-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("cannot make a temporary directory for nginx");
  dir_ = pattern;
}

void nginx_server::start(const std::string& root, const std::string& types) {
  const auto nginx = binary();
  fs::create_directories(dir_ + "/tmp");
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    std::ofstream(dir_ + "/nginx.conf") << fmt::format(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {0}/nginx.pid;\nerror_log "
        "{0}/error.log warn;\n"
        "events {{ worker_connections 4096; }}\n"
        "http {{\n  access_log off;\n  {3}  keepalive_requests 1000000;\n"
        // Descriptors of the pages kept open, as production configs do: without it nginx opens
        // and stats every file per request and saturates the 2 cores before a good client does.
        "  open_file_cache max=100000 inactive=60s;\n"
        "  client_body_temp_path {0}/tmp;\n"
        "  server {{\n    listen 127.0.0.1:{1} backlog=4096;\n    root \"{2}\";\n  }}\n}}\n",
        dir_, port_, root, types);
    std::vector<std::string> args{
        *nginx, "-p", dir_, "-c", dir_ + "/nginx.conf", "-e", dir_ + "/error.log"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = spawn_tied_to_this_thread(argv);
    if (pid_ < 0) break;
    for (int i = 0; i < 500; ++i) {
      if (accepts(port_)) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  const std::string log = read_file(dir_ + "/error.log");
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
  throw std::runtime_error("nginx did not start: " + log);
}

double nginx_server::cpu_seconds() const {
  clockid_t clock{};
  if (pid_ < 0 || clock_getcpuclockid(pid_, &clock) != 0) return 0;
  return cpu_time::of_clock(clock);
}

nginx_server::~nginx_server() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

nginx_server& shared_nginx(const site_spec& spec) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<nginx_server>> servers;
  const auto& embedded = embedded_server(spec);
  std::scoped_lock lock(mutex);
  auto& slot = servers[spec.key()];
  if (!slot) slot = std::make_unique<nginx_server>(embedded.site());
  return *slot;
}

}  // namespace concur::http
