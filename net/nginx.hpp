#pragma once
// nginx (Debian's nginx-light) as an external peer: a process of its own on a free loopback port,
// with a config of its own, serving static files or whatever the caller configures.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cleanup.hpp"

namespace concur::net {

class nginx_server {
 public:
  // The nginx binary, when installed.
  static std::optional<std::string> binary();

  // Every constructor starts nginx on a fresh temporary directory of its own; it throws
  // std::runtime_error (with nginx's error log) when nginx is missing or does not start.
  // nginx is killed by the kernel when the thread that constructed this dies (PR_SET_PDEATHSIG
  // follows the forking thread, not the process): construct it on a thread that lives as long
  // as the process, as the bench, the CLI and the tests do (their main thread), or nginx dies
  // early. The directory is a cleanup::owned_temp_dir: gone after SIGINT, SIGTERM or, at the
  // next start, SIGKILL.

  // Serves the files `write(root)` puts into a fresh directory, each as text/html (whatever its
  // name); an exception from `write` is a fixture_unavailable. With TMPDIR unset the directory is
  // in memory (/dev/shm, a tmpfs) when the files fit there, else in /tmp (`write` is called
  // again); with TMPDIR set, in $TMPDIR. In memory, no run waits for nginx to read them from disk
  // after the page cache was emptied.
  struct html_directory {
    std::function<void(const std::string& root)> write;
  };
  explicit nginx_server(const html_directory& d);
  // Serves the existing directory `root` read-only (nothing written there), each file with the
  // type nginx's mime.types gives it; nginx's own files go to a fresh temporary directory.
  struct existing_directory {
    std::string root;
  };
  explicit nginx_server(const existing_directory& d);
  // nginx with a configuration of the caller's, on a free port P: `main` holds top-level
  // directives (load_module, worker_rlimit_nofile), `events` the events block's, and
  // `servers(P)` the http block's server blocks, one of which listens on 127.0.0.1:P.
  // With worker_processes > 1 a master (in the foreground, nginx_server::pid) runs that many
  // workers.
  struct custom_config {
    std::string main;
    std::string events;
    std::function<std::string(std::uint16_t port)> servers;
    unsigned worker_processes = 1;
  };
  explicit nginx_server(const custom_config& c);
  ~nginx_server();  // stops nginx (SIGTERM, waited for) and removes the directory
  nginx_server(const nginx_server&) = delete;
  nginx_server& operator=(const nginx_server&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // CPU time nginx (one process: no master; or the master and its workers) has used so far.
  double cpu_seconds() const;
  // nginx's processes: the one, or the master and its workers.
  std::vector<pid_t> pids() const;
  const std::string& directory() const { return dir_->path(); }
  // Whether the directory is on a file system in memory (tmpfs), which no drop of the page cache
  // or reclaim of idle pages empties.
  bool in_memory() const;
  // "http://127.0.0.1:port" + target.
  std::string url(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(port_) + target;
  }

 private:
  void make_directory(const std::string& base = cleanup::temp_base());
  void start(const custom_config& c);  // throws as the constructor
  void start_static(const std::string& root, const std::string& types);

  std::unique_ptr<cleanup::owned_temp_dir> dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  unsigned workers_ = 1;
};

}  // namespace concur::net
