#pragma once
// Running an external program (a baseline such as find, wrk, nginx): quietly for timing,
// capturing its standard output, or in the background. vfork and execve, no shell: arguments are
// passed as they are, any bytes. Every child is tied to the thread that started it
// (PR_SET_PDEATHSIG): the kernel kills it (SIGKILL) when that thread ends, so a run ended by a
// signal, even SIGKILL, leaves no child behind. Start children from a thread that lives as long
// as they do (the main thread, or one that waits for them, as run_quiet and capture do).
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
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

namespace detail {

inline std::vector<char*> c_argv(std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (auto& a : argv) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

// Where a child's standard output (and standard error) go.
inline constexpr int to_null = -1;    // /dev/null
inline constexpr int to_parent = -2;  // the parent's own

// In the child, before exec: async-signal-safe calls only. -1 when `fd` cannot be set up.
inline int redirect(int from, int to) {
  if (from == to_parent) return 0;
  if (from == to_null) {
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null < 0) return -1;
    from = null;
  }
  return ::dup2(from, to) < 0 ? -1 : 0;
}

[[noreturn]] inline void exec_child(pid_t parent, int error_fd, const char* path, char** argv,
                                    int in_fd, int out_fd, int err_fd) {
  int code = 0;
  // The parent's handlers must not run here (the memory is the parent's): the stop signals get
  // their default action, and the mask, blocked around vfork, is emptied just before exec.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  ::sigaction(SIGINT, &default_action, nullptr);
  ::sigaction(SIGTERM, &default_action, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent)
    code = ECHILD;  // the parent died before prctl: the signal would never come
  else if (redirect(in_fd, 0) != 0 || redirect(out_fd, 1) != 0 || redirect(err_fd, 2) != 0)
    code = errno;
  else {
    ::sigprocmask(SIG_SETMASK, &none, nullptr);  // not the forking thread's mask (nginx needs TERM)
    ::execve(path, argv, environ);
    code = errno;
  }
  [[maybe_unused]] const auto written = ::write(error_fd, &code, sizeof code);
  ::_exit(127);
}

// Starts argv with stdout to `out_fd` and stderr to `err_fd` (a descriptor, to_null or
// to_parent), stdin from `in_fd` (a descriptor or to_parent); throws std::system_error when it
// cannot be run (not found, not executable).
inline pid_t spawn(std::vector<std::string> argv, int out_fd, int err_fd, int in_fd = to_parent) {
  if (argv.empty()) throw std::invalid_argument("process: empty command");
  const auto path = argv[0].find('/') == std::string::npos ? find_program(argv[0])
                                                           : std::optional<std::string>(argv[0]);
  if (!path) throw std::system_error(ENOENT, std::system_category(), "cannot run " + argv[0]);
  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) != 0)
    throw std::system_error(errno, std::system_category(), "pipe");
  auto args = c_argv(argv);
  const pid_t parent = ::getpid();
  // vfork, as posix_spawn does: fork would copy the page tables of a large process and make its
  // next writes fault, which a timed baseline (find) would be charged for.
  sigset_t all, before;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &before);
  const pid_t pid = ::vfork();
  if (pid == 0)
    exec_child(parent, error_pipe[1], path->c_str(), args.data(), in_fd, out_fd, err_fd);
  const int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  ::close(error_pipe[1]);
  int code = 0;
  ssize_t n = pid < 0 ? 0 : -1;
  while (n < 0) {
    n = ::read(error_pipe[0], &code, sizeof code);
    if (n < 0 && errno != EINTR) n = 0;
  }
  ::close(error_pipe[0]);
  if (pid < 0) throw std::system_error(fork_error, std::system_category(), "vfork");
  if (n == sizeof code) {  // exec failed: the child said why
    ::waitpid(pid, nullptr, 0);
    throw std::system_error(code, std::system_category(), "cannot run " + argv[0]);
  }
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

// Starts argv in the background, writing to this process's stdout and stderr; returns its pid
// (wait for it with waitpid). Throws std::system_error when it cannot be run.
inline pid_t start(const std::vector<std::string>& argv) {
  return detail::spawn(argv, detail::to_parent, detail::to_parent);
}

// Runs argv with its output discarded; returns its exit status.
inline int run_quiet(const std::vector<std::string>& argv) {
  return detail::wait_for(detail::spawn(argv, detail::to_null, detail::to_null));
}

struct captured {
  std::string out;
  int status = 0;
  double cpu_seconds = 0;  // the program's user + system time
};

// Which of a program's outputs capture reads; the others go to /dev/null.
enum class streams { out, out_and_err, err };

// Runs argv and returns what it wrote on the streams `which` names, its exit status and its CPU
// time.
inline captured capture(const std::vector<std::string>& argv, streams which) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::system_category(), "pipe");
  pid_t pid = -1;
  try {
    pid = detail::spawn(argv, which == streams::err ? detail::to_null : fds[1],
                        which == streams::out ? detail::to_null : fds[1]);
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

// What it wrote on stdout (and stderr, when `merge_stderr`).
inline captured capture(const std::vector<std::string>& argv, bool merge_stderr = false) {
  return capture(argv, merge_stderr ? streams::out_and_err : streams::out);
}

// The peak resident set of a run of argv (its output discarded), in bytes, as GNU time reports
// it; none without GNU time, or when the program's exit status is not in `ok_statuses`. Not wait4's
// ru_maxrss of our own child: a child started by vfork (or fork) begins in this process's memory
// and the kernel keeps the larger peak across exec, so a small program started by a large process
// would read as large. time is small (about 1 MB), and its child's peak is the program's own.
inline std::optional<double> peak_rss_of(const std::vector<std::string>& argv,
                                         const std::vector<int>& ok_statuses = {0}) {
  const auto time = find_program("time");
  if (!time || argv.empty()) return std::nullopt;
  std::vector<std::string> timed{*time, "--quiet", "--format=%x %M"};
  timed.insert(timed.end(), argv.begin(), argv.end());
  const auto run = capture(timed, streams::err);
  // time's line is the last: the program's own stderr comes before it.
  std::string_view last = run.out;
  while (last.ends_with('\n')) last.remove_suffix(1);
  last.remove_prefix(last.rfind('\n') == std::string_view::npos ? 0 : last.rfind('\n') + 1);
  int status = -1;
  long kib = -1;
  if (std::sscanf(std::string(last).c_str(), "%d %ld", &status, &kib) != 2 || kib < 0 ||
      std::find(ok_statuses.begin(), ok_statuses.end(), status) == ok_statuses.end())
    return std::nullopt;
  return static_cast<double>(kib) * 1024;
}

// A child to talk to: its stdin, stdout and stderr are one end of a UNIX stream socket pair, `fd`
// the other (close-on-exec, so that no other child holds it). Write to it with send(MSG_NOSIGNAL):
// a child that died gives EPIPE, not SIGPIPE.
struct connected {
  pid_t pid;
  int fd;
};

// Starts argv connected; throws std::system_error when it cannot be run.
inline connected start_connected(const std::vector<std::string>& argv) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::system_error(errno, std::system_category(), "socketpair");
  try {
    const pid_t pid = detail::spawn(argv, fds[1], fds[1], fds[1]);
    ::close(fds[1]);
    return {pid, fds[0]};
  } catch (...) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw;
  }
}

// Kills a child (SIGKILL) and waits for it: its exit status as wait_for gives it.
inline int kill_and_wait(pid_t pid) {
  ::kill(pid, SIGKILL);
  return detail::wait_for(pid);
}

}  // namespace concur::process
