#include "net/nginx.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "core/cleanup.hpp"
#include "core/cpu_time.hpp"
#include "core/process.hpp"
#include "core/workload.hpp"

namespace concur::net {
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

// The processes whose parent is `parent` (nginx's workers), from /proc/<pid>/stat.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    std::getline(in, stat);
    // pid (comm) state ppid ...: comm may hold spaces or parentheses, so read after the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    if (rest >> state >> ppid && ppid == parent) out.push_back(std::stoi(name));
  }
  return out;
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in a = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// Whether `dir` is on a tmpfs, in memory.
bool on_tmpfs(const std::string& dir) {
  struct statfs fs {};
  return ::statfs(dir.c_str(), &fs) == 0 && fs.f_type == TMPFS_MAGIC;
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

// With TMPDIR unset, the files go to /dev/shm (a tmpfs: in memory) when they fit there, else to
// /tmp; with TMPDIR set, there, as the user asked. On disk, whatever empties the page cache (a
// cold-cache cell's drop_caches, the kernel reclaiming pages left idle) makes nginx read every
// page from disk again in the next run that asks for it: the 10,000 pages of fetch's nginx case
// cost ~1 s more than the 0.1 s of a warm run (issue 23).
nginx_server::nginx_server(const html_directory& d) {
  const auto site = [&] { return dir_->path() + "/site"; };
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string shm = "/dev/shm";
  if (!(tmpdir && *tmpdir) && binary() && on_tmpfs(shm) && ::access(shm.c_str(), W_OK) == 0) try {
      make_directory(shm);
      d.write(site());
    } catch (const std::exception&) {
      dir_.reset();  // e.g. a small /dev/shm (64 MiB in a container): on disk instead
    }
  if (!dir_) {
    make_directory();
    try {
      d.write(site());
    } catch (const std::exception& e) {
      throw fixture_unavailable(
          fmt::format("cannot write nginx's files in {}: {}", dir_->path(), e.what()));
    }
  }
  start_static(site(), "types { }\n  default_type text/html;\n");
}

nginx_server::nginx_server(const existing_directory& d) {
  make_directory();
  const std::string mime_types = "/etc/nginx/mime.types";
  start_static(d.root,
               fs::exists(mime_types)
                   ? "include " + mime_types + ";\n  default_type application/octet-stream;\n"
                   : "types { text/html html htm; }\n  default_type text/plain;\n");
}

nginx_server::nginx_server(const custom_config& c) {
  make_directory();
  start(c);
}

bool nginx_server::in_memory() const {
  return on_tmpfs(dir_->path());
}

void nginx_server::make_directory(const std::string& base) {
  if (!binary()) throw std::runtime_error("nginx is not installed (apt-get install nginx-light)");
  dir_ = std::make_unique<cleanup::owned_temp_dir>("concur-nginx", base);
}

void nginx_server::start_static(const std::string& root, const std::string& types) {
  start({.events = "worker_connections 4096;", .servers = [&](std::uint16_t port) {
           return fmt::format(
               "  {1}  keepalive_requests 1000000;\n"
               // Descriptors of the pages kept open, as production configs do: without it nginx
               // opens and stats every file per request and saturates the 2 cores before a good
               // client does.
               "  open_file_cache max=100000 inactive=60s;\n"
               "  server {{\n    listen 127.0.0.1:{0} backlog=4096;\n    root \"{2}\";\n  }}\n",
               port, types, root);
         }});
}

void nginx_server::start(const custom_config& c) {
  const auto nginx = binary();
  const std::string& dir = dir_->path();
  try {
    fs::create_directories(dir + "/tmp");
  } catch (const std::exception& e) {
    throw fixture_unavailable(fmt::format("cannot write nginx's files in {}: {}", dir, e.what()));
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    workers_ = std::max(1u, c.worker_processes);
    std::ofstream(dir + "/nginx.conf") << fmt::format(
        "daemon off;\nmaster_process {4};\nworker_processes {5};\n{1}pid {0}/nginx.pid;\n"
        "error_log {0}/error.log warn;\n"
        "events {{ {2} }}\n"
        "http {{\n  access_log off;\n  client_body_temp_path {0}/tmp;\n{3}}}\n",
        dir, c.main, c.events, c.servers(port_), workers_ > 1 ? "on" : "off", workers_);
    pid_ = process::start({*nginx, "-p", dir, "-c", dir + "/nginx.conf", "-e", dir + "/error.log"});
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
  const std::string log = read_file(dir + "/error.log");
  throw std::runtime_error("nginx did not start: " + log);
}

double nginx_server::cpu_seconds() const {
  double sum = 0;
  for (const pid_t pid : pids()) {
    clockid_t clock{};
    if (clock_getcpuclockid(pid, &clock) == 0) sum += cpu_time::of_clock(clock);
  }
  return sum;
}

std::vector<pid_t> nginx_server::pids() const {
  if (pid_ < 0) return {};
  std::vector<pid_t> out{pid_};
  if (workers_ > 1) {
    const auto workers = children_of(pid_);
    out.insert(out.end(), workers.begin(), workers.end());
  }
  return out;
}

nginx_server::~nginx_server() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
}

}  // namespace concur::net
