#pragma once
// Running an external program (a baseline such as find): quietly for timing, or capturing its
// standard output. posix_spawnp, no shell: arguments are passed as they are, any bytes.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/cpu_time.hpp"

namespace concur::process {

namespace detail {

inline std::vector<char*> c_argv(std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (auto& a : argv) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

// Spawns argv with stdout to `out_fd` (or /dev/null when -1) and stderr to /dev/null, or to
// `out_fd` too when `merge_stderr`.
inline pid_t spawn(std::vector<std::string> argv, int out_fd, int close_fd,
                   bool merge_stderr = false) {
  if (argv.empty()) throw std::invalid_argument("process: empty command");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (out_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  else
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  if (close_fd >= 0) posix_spawn_file_actions_addclose(&actions, close_fd);
  if (merge_stderr && out_fd >= 0)
    posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  else
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  auto args = c_argv(argv);
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::system_error(rc, std::system_category(), "cannot run " + argv[0]);
  return pid;
}

// The exit status, or 128 + the signal that ended it; `cpu_seconds`, when given, gets the
// child's user + system time.
inline int wait_for(pid_t pid, double* cpu_seconds = nullptr) {
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0)
    if (errno != EINTR) throw std::system_error(errno, std::system_category(), "wait4");
  if (cpu_seconds) *cpu_seconds = cpu_time::of_usage(usage);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace detail

// Runs argv with its output discarded; returns its exit status.
inline int run_quiet(const std::vector<std::string>& argv) {
  return detail::wait_for(detail::spawn(argv, -1, -1));
}

struct captured {
  std::string out;
  int status = 0;
  double cpu_seconds = 0;  // the program's user + system time
};

// Runs argv and returns what it wrote on stdout (and stderr, when `merge_stderr`), its exit status
// and its CPU time.
inline captured capture(const std::vector<std::string>& argv, bool merge_stderr = false) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::system_category(), "pipe");
  pid_t pid = -1;
  try {
    pid = detail::spawn(argv, fds[1], fds[0], merge_stderr);
  } catch (...) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw;
  }
  ::close(fds[1]);
  captured r;
  char chunk[65536];
  for (ssize_t n; (n = ::read(fds[0], chunk, sizeof chunk)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    r.out.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  r.status = detail::wait_for(pid, &r.cpu_seconds);
  return r;
}

// The path of an executable `name` in $PATH (or /usr/bin:/bin without one), then in `more_dirs`
// (daemons such as nginx live in /usr/sbin, which a user's PATH may lack); nullopt when none.
inline std::optional<std::string> find_program(
    std::string_view name, std::initializer_list<std::string_view> more_dirs = {}) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (auto dir : more_dirs) (dirs += ':') += dir;
  for (std::size_t pos = 0; pos <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', pos), dirs.size());
    const std::string candidate = dirs.substr(pos, end - pos) + "/" + std::string(name);
    if (end > pos && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    pos = end + 1;
  }
  return std::nullopt;
}

}  // namespace concur::process
