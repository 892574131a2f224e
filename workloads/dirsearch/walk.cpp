#include "workloads/dirsearch/walk.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <system_error>

#include "core/names.hpp"

namespace concur::dirsearch {

constexpr name_entry<entry_type> type_names[] = {{entry_type::file, "file"},
                                                 {entry_type::dir, "dir"},
                                                 {entry_type::symlink, "link"},
                                                 {entry_type::other, "other"}};

std::string_view to_string(entry_type t) {
  return name_in(type_names, t);
}

char type_letter(entry_type t) {
  return t == entry_type::other ? '?' : to_string(t)[0];  // file, dir, link
}

bool path_less(std::string_view a, std::string_view b) {
  // Byte order but for '/', found at the first difference; memcmp does the long common prefixes
  // (the deep chain's paths share thousands of bytes).
  const std::size_t n = std::min(a.size(), b.size());
  if (std::memcmp(a.data(), b.data(), n) == 0) return a.size() < b.size();
  std::size_t lo = 0, hi = n;  // a[0, lo) == b[0, lo), and they differ before hi
  while (hi - lo > 32) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (std::memcmp(a.data() + lo, b.data() + lo, mid - lo) == 0)
      lo = mid;
    else
      hi = mid;
  }
  while (a[lo] == b[lo]) ++lo;
  const auto key = [](char c) {
    return c == '/' ? 0 : static_cast<int>(static_cast<unsigned char>(c)) + 1;
  };
  return key(a[lo]) < key(b[lo]);
}

void tally::merge(tally&& other) {
  if (entries.empty()) {
    entries = std::move(other.entries);
  } else {
    entries.insert(entries.end(), std::make_move_iterator(other.entries.begin()),
                   std::make_move_iterator(other.entries.end()));
  }
  errors.insert(errors.end(), std::make_move_iterator(other.errors.begin()),
                std::make_move_iterator(other.errors.end()));
  dirs_opened += other.dirs_opened;
  entries_read += other.entries_read;
  other = {};
}

dir_fd::~dir_fd() {
  if (fd_ >= 0) ::close(fd_);
}

std::string errno_message(int code) {
  return std::system_category().message(code);
}

namespace {

std::string child_path(const std::string& rel, std::string_view name) {
  if (rel.empty()) return std::string(name);
  std::string path;
  path.reserve(rel.size() + 1 + name.size());
  path.append(rel).push_back('/');
  path.append(name);
  return path;
}

entry_type type_of_mode(mode_t mode) {
  if (S_ISDIR(mode)) return entry_type::dir;
  if (S_ISREG(mode)) return entry_type::file;
  if (S_ISLNK(mode)) return entry_type::symlink;
  return entry_type::other;
}

// One buffer per thread: a slice is parsed completely before read_some returns.
constexpr std::size_t buffer_size = 32 * 1024;
alignas(8) thread_local std::array<char, buffer_size> buffer;

}  // namespace

void dir_reader::add_error(tally& out, std::string path, int code, std::string message) const {
  error e{std::move(path), code, std::move(message)};
  if (opts_.sink)
    opts_.sink->report(job_.root, e);
  else
    out.errors.push_back(std::move(e));
}

void dir_reader::add_errno(tally& out, std::string path, int code, std::string_view what) const {
  add_error(out, std::move(path), code, std::string(what) + ": " + errno_message(code));
}

dir_job root_job(const std::string& root) {
  return {nullptr, root, "", nullptr, root};
}

dir_reader::dir_reader(dir_job job, const options& opts, tally& out)
    : job_(std::move(job)), opts_(opts) {
  const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW;
  // A root given as a link to a directory is searched (as `find ROOT/` would); links below it
  // are entered only when following.
  const int fd = job_.parent ? ::openat(job_.parent->get(), job_.name.c_str(),
                                        opts_.follow_symlinks ? flags & ~O_NOFOLLOW : flags)
                             : ::open(job_.name.c_str(), flags & ~O_NOFOLLOW);
  const int open_errno = errno;
  job_.parent.reset();  // this job no longer holds its parent open
  if (fd < 0) {
    add_errno(out, job_.rel, open_errno, "open");
    return;
  }
  fd_ = std::make_shared<const dir_fd>(fd);
  ++out.dirs_opened;
  if (opts_.follow_symlinks) {
    struct stat st {};
    if (::fstat(fd, &st) == 0)
      self_ = std::make_shared<const ancestor>(ancestor{st.st_dev, st.st_ino, job_.ancestors});
  }
  if (opts_.sink) {
    // As find prints it: ROOT/PATH, with no second '/' after a root that ends in one.
    prefix_.reserve(job_.root.size() + job_.rel.size() + 2);
    prefix_.append(job_.root);
    if (!prefix_.empty() && prefix_.back() != '/') prefix_.push_back('/');
    if (!job_.rel.empty()) prefix_.append(job_.rel).push_back('/');
  }
}

bool dir_reader::read_some(tally& out, std::vector<dir_job>& subdirs) {
  if (!fd_) return false;
  const long n = ::syscall(SYS_getdents64, fd_->get(), buffer.data(), buffer.size());
  if (n <= 0) {
    if (n < 0) add_errno(out, job_.rel, errno, "read");
    fd_.reset();
    return false;
  }
  std::string* records = opts_.sink ? &opts_.sink->buffer() : nullptr;
  for (long pos = 0; pos < n;) {
    const auto* d = reinterpret_cast<const struct dirent64*>  // glibc's has linux_dirent64's layout
        (buffer.data() + pos);
    pos += d->d_reclen;
    const char* name = d->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
    add(name, d->d_type, out, subdirs, records);
  }
  if (records) opts_.sink->appended(*records);
  return true;
}

void dir_reader::add(const char* name, unsigned char d_type, tally& out,
                     std::vector<dir_job>& subdirs, std::string* records) {
  ++out.entries_read;
  const std::string_view name_view(name);
  // The relative path is built only where it is kept: always in the tally, streaming only for a
  // sub-directory or an error.
  const auto path = [&] { return child_path(job_.rel, name_view); };
  entry_type type = entry_type::other;
  switch (d_type) {
    case DT_DIR:
      type = entry_type::dir;
      break;
    case DT_REG:
      type = entry_type::file;
      break;
    case DT_LNK:
      type = entry_type::symlink;
      break;
    case DT_UNKNOWN: {
      struct stat st {};
      if (::fstatat(fd_->get(), name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        type = type_of_mode(st.st_mode);
      } else {
        const int code = errno;
        add_errno(out, path(), code, "stat");
      }
      break;
    }
    default:
      break;
  }
  bool enter = type == entry_type::dir;
  if (type == entry_type::symlink && opts_.follow_symlinks) {
    struct stat st {};
    if (::fstatat(fd_->get(), name, &st, 0) == 0) {
      type = type_of_mode(st.st_mode);
      if (type == entry_type::dir) {
        enter = self_ != nullptr;  // without our own identity a loop cannot be ruled out
        for (const ancestor* a = self_.get(); a; a = a->parent.get()) {
          if (a->dev == st.st_dev && a->ino == st.st_ino) {
            add_error(out, path(), ELOOP,
                      "filesystem loop: links to a directory above it, not entered");
            enter = false;
            break;
          }
        }
      }
    } else if (errno != ENOENT) {
      const int code = errno;
      add_errno(out, path(), code, "stat");  // a dangling link stays a link; a loop is an error
    }
  }
  if (records) {
    records->append(prefix_).append(name_view).push_back(opts_.sink->terminator());
    if (enter) subdirs.push_back({fd_, std::string(name_view), path(), self_, job_.root});
    return;
  }
  std::string rel = path();
  if (enter) subdirs.push_back({fd_, std::string(name_view), rel, self_, job_.root});
  out.entries.push_back({std::move(rel), type});
}

void read_directory(dir_job job, const options& opts, tally& out, std::vector<dir_job>& subdirs) {
  dir_reader reader(std::move(job), opts, out);
  while (reader.read_some(out, subdirs)) {
  }
}

}  // namespace concur::dirsearch
