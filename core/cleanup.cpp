#include "core/cleanup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/workload.hpp"

namespace concur::cleanup {
namespace {

// ---- Removing a tree with async-signal-safe calls only (the signal handlers use it) ----

struct linux_dirent64 {
  ino64_t d_ino;
  off64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[1];  // NUL-terminated, as long as d_reclen allows
};

bool dot_or_dotdot(const char* name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

// Removes parent_fd/name, a file or a tree. Passes until one removes nothing: entries removed
// while a directory is read may make the read skip others.
void remove_at(int parent_fd, const char* name) {
  if (::unlinkat(parent_fd, name, 0) == 0 || (errno != EISDIR && errno != EPERM)) return;
  const int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    alignas(linux_dirent64) char buffer[4096];
    for (bool removed = true; removed;) {
      removed = false;
      ::lseek(fd, 0, SEEK_SET);
      for (long n; (n = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0;) {
        for (long at = 0; at < n;) {
          const auto* entry = reinterpret_cast<const linux_dirent64*>(buffer + at);
          at += entry->d_reclen;
          if (dot_or_dotdot(entry->d_name)) continue;
          remove_at(fd, entry->d_name);
          removed = true;
        }
      }
    }
    ::close(fd);
  }
  ::unlinkat(parent_fd, name, AT_REMOVEDIR);
}

// ---- The directories the signal handlers remove ----

struct slot {
  std::atomic<int> state{0};  // 0 free, 1 being filled or emptied, 2 ready
  char path[PATH_MAX] = {};
};
std::array<slot, 32> slots;

int claim(const std::string& path) {
  if (path.size() >= PATH_MAX) return -1;
  for (int i = 0; i < static_cast<int>(slots.size()); ++i) {
    int free = 0;
    if (!slots[i].state.compare_exchange_strong(free, 1)) continue;
    std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
    slots[i].state.store(2);
    return i;
  }
  return -1;
}

void release(int i) {
  if (i >= 0) slots[i].state.store(0);
}

void on_signal(int signal) {
  // The interrupted code may be about to read errno, should the raised signal not end the
  // process at once (it is blocked until this handler returns); the removals set it.
  const int interrupted_errno = errno;
  for (auto& s : slots)
    if (s.state.load() == 2) remove_at(AT_FDCWD, s.path);
  // SA_RESETHAND restored the default action: once this handler returns, the signal (blocked
  // while it runs) ends the process with it.
  ::raise(signal);
  errno = interrupted_errno;
}

// ---- Owners ----

// Field 22 of /proc/PID/stat, the process's start time: with the pid, it names one process even
// after the pid is reused. Empty when the process does not exist.
std::string start_time(long pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
  }
  return field;
}

std::string owner_text() {
  const long pid = ::getpid();
  return fmt::format("{} {}\n", pid, start_time(pid));
}

// Whether the process `pid` that started at `started` still runs.
bool process_alive(long pid, std::string_view started) {
  // Another user's live process answers EPERM: alive, and not ours to judge.
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  const std::string now = start_time(pid);
  return now.empty() || now == started;  // unreadable: taken as alive
}

bool owner_alive(const std::filesystem::path& dir) {
  std::ifstream in(dir / lock_file);
  long pid = 0;
  std::string started;
  // No lock: not made by this code (or its owner is between mkdtemp and writing the lock).
  if (!(in >> pid >> started)) return true;
  return process_alive(pid, started);
}

}  // namespace

void install_signal_handlers() {
  for (const int signal : {SIGINT, SIGTERM}) {
    struct sigaction old {};
    ::sigaction(signal, nullptr, &old);
    if (old.sa_handler == SIG_IGN) continue;
    struct sigaction action {};
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESETHAND;
    ::sigemptyset(&action.sa_mask);
    ::sigaction(signal, &action, nullptr);
  }
}

removed_on_signal::removed_on_signal(const std::string& path) : slot_(claim(path)) {}

removed_on_signal::~removed_on_signal() {
  release(slot_);
}

std::string owner_tag() {
  const long pid = ::getpid();
  return fmt::format("{}-{}", pid, start_time(pid));
}

bool owner_tag_alive(std::string_view tag) {
  const auto dash = tag.find('-');
  if (dash == std::string_view::npos) return true;
  long pid = 0;
  const auto [end, ec] = std::from_chars(tag.data(), tag.data() + dash, pid);
  if (ec != std::errc{} || end != tag.data() + dash || pid <= 0) return true;
  return process_alive(pid, tag.substr(dash + 1));
}

std::string temp_base() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

std::size_t remove_stale(std::string_view stem, const std::string& base) {
  namespace fs = std::filesystem;
  const std::string prefix = std::string(stem) + "-";
  std::size_t removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(base, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (!name.starts_with(prefix) || !it->is_directory(ec) || it->is_symlink(ec)) continue;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || st.st_uid != ::getuid()) continue;
    if (owner_alive(it->path())) continue;
    remove_at(AT_FDCWD, it->path().c_str());
    ++removed;
  }
  return removed;
}

owned_temp_dir::owned_temp_dir(std::string_view stem) : owned_temp_dir(stem, temp_base()) {}

owned_temp_dir::owned_temp_dir(std::string_view stem, const std::string& base) {
  remove_stale(stem, base);
  const char* tmpdir = std::getenv("TMPDIR");
  std::string pattern = fmt::format("{}/{}-XXXXXX", base, stem);
  if (!::mkdtemp(pattern.data())) {
    const int error = errno;
    const char* whence = base != temp_base() ? "asked for"
                         : tmpdir && *tmpdir ? "from TMPDIR"
                                             : "TMPDIR unset";
    throw fixture_unavailable(fmt::format("cannot make a temporary directory in {} ({}): {}", base,
                                          whence, std::strerror(error)));
  }
  path_ = pattern;
  on_signal_.emplace(path_);
  std::ofstream lock(path_ + "/" + std::string(lock_file));
  lock << owner_text();
  lock.close();
  if (!lock) {
    on_signal_.reset();
    remove_at(AT_FDCWD, path_.c_str());
    throw fixture_unavailable(fmt::format("cannot write in the temporary directory {}", path_));
  }
}

owned_temp_dir::~owned_temp_dir() {
  on_signal_.reset();
  remove_at(AT_FDCWD, path_.c_str());
}

}  // namespace concur::cleanup
