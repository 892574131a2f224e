#include "workloads/dirsearch/tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/cleanup.hpp"
#include "core/workload.hpp"

namespace concur::dirsearch {
namespace {

[[noreturn]] void fail(int code, std::string_view what, std::string_view path) {
  throw std::system_error(code, std::system_category(), fmt::format("{} {}", what, path));
}

// splitmix64: the same sequence on every machine (std:: distributions are not portable).
class rng {
 public:
  explicit rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

class fnv1a {
 public:
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) hash_ = (hash_ ^ c) * 0x100000001b3ULL;
    hash_ = (hash_ ^ 0xffU) * 0x100000001b3ULL;  // a separator no path contains as a whole field
  }
  std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

class builder {
 public:
  builder(const std::string& root, tree_summary& summary) : root_path_(root), summary_(summary) {
    if (::mkdir(root.c_str(), 0755) != 0) fail(errno, "mkdir", root);
    if (::chmod(root.c_str(), 0755) != 0) fail(errno, "chmod", root);
    fd_ = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) fail(errno, "open", root);
  }
  ~builder() { ::close(fd_); }
  builder(const builder&) = delete;
  builder& operator=(const builder&) = delete;

  void dir(const std::string& path, mode_t mode = 0755) { dir_at(fd_, path, path, mode); }

  void dir_at(int at, const std::string& name, const std::string& path, mode_t mode = 0755) {
    if (::mkdirat(at, name.c_str(), mode) != 0 || ::fchmodat(at, name.c_str(), mode, 0) != 0)
      fail(errno, "mkdir", full(path));
    record('d', path, mode, "");
    ++summary_.dirs;
  }

  void file(const std::string& path, std::string_view contents) {
    file_at(fd_, path, path, contents);
  }

  void file_at(int at, const std::string& name, const std::string& path,
               std::string_view contents) {
    const int fd = ::openat(at, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) fail(errno, "create", full(path));
    const bool ok = ::fchmod(fd, 0644) == 0 && ::write(fd, contents.data(), contents.size()) ==
                                                   static_cast<ssize_t>(contents.size());
    const int code = errno;
    ::close(fd);
    if (!ok) fail(code, "write", full(path));
    record('f', path, 0644, contents);
    ++summary_.files;
    summary_.bytes += contents.size();
  }

  void link(const std::string& path, const std::string& target) {
    if (::symlinkat(target.c_str(), fd_, path.c_str()) != 0) fail(errno, "symlink", full(path));
    record('l', path, 0777, target);
    ++summary_.symlinks;
  }

  void fifo(const std::string& path) {
    if (::mkfifoat(fd_, path.c_str(), 0644) != 0 || ::fchmodat(fd_, path.c_str(), 0644, 0) != 0)
      fail(errno, "mkfifo", full(path));
    record('p', path, 0644, "");
    ++summary_.others;
  }

  void lock(const std::string& path) {
    if (::fchmodat(fd_, path.c_str(), 0, 0) != 0) fail(errno, "chmod", full(path));
    record('m', path, 0, "");
  }

  int fd() const { return fd_; }
  std::string full(const std::string& path) const { return root_path_ + "/" + path; }

 private:
  void record(char kind, const std::string& path, mode_t mode, std::string_view data) {
    hash_.add(std::string_view(&kind, 1));
    hash_.add(path);
    hash_.add(fmt::format("{:o}", mode));
    hash_.add(data);
    summary_.hash = hash_.value();
  }

  std::string root_path_;
  tree_summary& summary_;
  fnv1a hash_;
  int fd_ = -1;
};

// A name for entry `index` of a directory: mostly plain, sometimes hidden, with a space, or with
// bytes that are not UTF-8. The index keeps names unique within a directory.
std::string random_name(rng& r, char kind, std::size_t index) {
  static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_-";
  std::string name;
  const std::size_t roll = r.below(32);
  if (roll < 2) name += '.';
  name += kind;
  name += std::to_string(index);
  name += '-';
  const std::size_t length = 3 + r.below(10);
  for (std::size_t i = 0; i < length; ++i) name += alphabet[r.below(alphabet.size())];
  if (roll == 2 || roll == 3) name += " x";
  if (roll == 4) name += "\xff\xfe";
  return name;
}

std::string random_contents(rng& r) {
  std::string contents(r.below(64), '\0');
  for (auto& c : contents) c = static_cast<char>(r.next() & 0xff);
  return contents;
}

void generate_random_part(builder& b, const std::string& top, const tree_spec& spec, rng& r) {
  struct dir_info {
    std::string path;
    std::size_t depth, children = 0;
  };
  std::vector<dir_info> dirs{{top, 0}};
  std::vector<std::size_t> open_dirs;  // the ones that may still get sub-directories
  if (spec.depth > 0) open_dirs.push_back(0);
  b.dir(top);
  for (std::size_t i = 0; i < spec.dirs && !open_dirs.empty(); ++i) {
    const std::size_t parent = open_dirs[r.below(open_dirs.size())];
    std::string path = dirs[parent].path + "/" + random_name(r, 'd', dirs[parent].children++);
    const std::size_t depth = dirs[parent].depth + 1;
    b.dir(path);
    if (depth < spec.depth) open_dirs.push_back(dirs.size());
    dirs.push_back({std::move(path), depth});
  }
  for (auto& d : dirs) {
    for (std::size_t j = 0; j < spec.files_per_dir; ++j) {
      const std::string path = d.path + "/" + random_name(r, 'f', d.children++);
      const std::string contents = random_contents(r);  // drawn either way: the same names
      b.file(path, spec.empty_files ? std::string_view() : contents);
    }
  }
}

void generate_chain(builder& b, const tree_spec& spec) {
  b.dir("chain");
  const std::string component(spec.chain_name_length, 'c');
  std::string path = "chain";
  int at = ::openat(b.fd(), "chain", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (at < 0) fail(errno, "open", b.full(path));
  for (std::size_t level = 0; level < spec.chain_depth; ++level) {
    path += "/" + component;
    b.dir_at(at, component, path);
    const int next = ::openat(at, component.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const int code = errno;
    ::close(at);
    if (next < 0) fail(code, "open", b.full(path));
    at = next;
  }
  try {
    b.file_at(at, "bottom.txt", path + "/bottom.txt", "the bottom of the chain\n");
  } catch (...) {
    ::close(at);
    throw;
  }
  ::close(at);
}

void generate_faults(builder& b, const tree_spec& spec) {
  b.dir(".hidden");
  b.file(".hidden/inside.txt", "hidden\n");
  b.file(".dotfile", "dot\n");
  b.file("notes.txt", "notes\n");
  b.file("name with spaces.txt", "spaces\n");
  b.file("line\nbreak", "newline in the name\n");
  b.file("bad-\xff\xfe.bin", "not UTF-8\n");
  b.link("link-to-file", "notes.txt");
  b.link("link-to-dir", "tree");
  b.link("loop-a", "loop-b");
  b.link("loop-b", "loop-a");
  b.link("cycle", ".");
  b.link("dangling", "no-such-target");
  b.fifo("fifo");
  b.dir("empty");
  if (spec.chain_depth > 0) generate_chain(b, spec);
  b.dir("locked");
  b.file("locked/secret.txt", "secret\n");
  b.lock("locked");
}

}  // namespace

std::size_t expected_entries(const tree_spec& spec) {
  const std::size_t dirs_per_part = 1 + (spec.depth > 0 ? spec.dirs : 0);
  const std::size_t part = dirs_per_part * (1 + spec.files_per_dir);
  const std::size_t faults =
      spec.faults ? 17 + (spec.chain_depth > 0 ? spec.chain_depth + 2 : 0) : 0;
  return spec.parts * part + faults;
}

tree_summary generate_tree(const std::string& root, const tree_spec& spec) {
  tree_summary summary;
  builder b(root, summary);
  rng r(spec.seed);
  for (std::size_t part = 0; part < spec.parts; ++part)
    generate_random_part(b, part == 0 ? "tree" : fmt::format("tree{}", part + 1), spec, r);
  if (spec.faults) generate_faults(b, spec);
  return summary;
}

bool remove_tree(const std::string& root) {
  ::chmod(root.c_str(), 0700);  // a locked root; failure shows up at open
  int cur = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (cur < 0) {
    if (errno == ENOENT) return false;
    if (errno == ENOTDIR || errno == ELOOP) {
      if (::unlink(root.c_str()) != 0) fail(errno, "unlink", root);
      return true;
    }
    fail(errno, "open", root);
  }
  // Walks down one sub-directory at a time and back up through "..", holding one descriptor.
  std::vector<std::string> names;
  for (;;) {
    const int listing = ::dup(cur);
    DIR* d = listing >= 0 ? ::fdopendir(listing) : nullptr;
    if (!d) {
      const int code = errno;
      if (listing >= 0) ::close(listing);
      ::close(cur);
      fail(code, "list", root);
    }
    ::rewinddir(d);
    std::optional<std::string> subdir;
    bool removed = false;
    while (const dirent* e = ::readdir(d)) {
      const std::string_view name(e->d_name);
      if (name == "." || name == "..") continue;
      bool is_dir = e->d_type == DT_DIR;
      if (e->d_type == DT_UNKNOWN) {
        struct stat st {};
        is_dir = ::fstatat(cur, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
      }
      if (is_dir) {
        subdir = std::string(name);
        break;
      }
      if (::unlinkat(cur, e->d_name, 0) == 0) removed = true;
    }
    ::closedir(d);
    if (subdir) {
      ::fchmodat(cur, subdir->c_str(), 0700, 0);
      const int next =
          ::openat(cur, subdir->c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      const int code = errno;
      ::close(cur);
      if (next < 0) fail(code, "open", root + "/.../" + *subdir);
      cur = next;
      names.push_back(std::move(*subdir));
      continue;
    }
    if (removed) continue;  // list again: removing while reading may have skipped entries
    if (names.empty()) {
      ::close(cur);
      if (::rmdir(root.c_str()) != 0) fail(errno, "rmdir", root);
      return true;
    }
    const int up = ::openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const int code = errno;
    ::close(cur);
    if (up < 0) fail(code, "open .. of", names.back());
    if (::unlinkat(up, names.back().c_str(), AT_REMOVEDIR) != 0) {
      const int rm_code = errno;
      ::close(up);
      fail(rm_code, "rmdir", names.back());
    }
    names.pop_back();
    cur = up;
  }
}

namespace {

void make_dirs(const std::string& path) {
  for (std::size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) fail(errno, "mkdir", prefix);
  }
}

bool xdg_set() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  return xdg && *xdg;
}

// What a tree being built carries in its name, before its owner's tag and a counter.
constexpr std::string_view building_marker = ".tmp-";

// Removes the trees in `base` that a process killed while building them left behind.
void remove_stale_builds(const std::string& base) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(base, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto at = name.find(building_marker);
    const auto last_dash = name.rfind('-');
    if (at == std::string::npos || last_dash <= at + building_marker.size()) continue;
    const auto tag = std::string_view(name).substr(at + building_marker.size(),
                                                   last_dash - at - building_marker.size());
    if (cleanup::owner_tag_alive(tag)) continue;
    try {
      remove_tree(it->path().string());
    } catch (const std::system_error&) {
      // Left as it was: what cannot be removed does not stop this run from building its own.
    }
  }
}

std::string cache_base() {
  if (xdg_set()) return std::string(std::getenv("XDG_CACHE_HOME")) + "/concur/dirsearch";
  return fmt::format("{}/concur-dirsearch-{}", cleanup::temp_base(), ::getuid());
}

}  // namespace

std::string cached_tree(const tree_spec& spec) {
  static std::mutex mutex;
  static std::atomic<unsigned> counter{0};
  const std::scoped_lock lock(mutex);
  const std::string base = cache_base();
  const std::string path = fmt::format(
      "{}/v1-s{}-d{}-f{}-D{}-p{}-c{}x{}{}{}", base, spec.seed, spec.dirs, spec.files_per_dir,
      spec.depth, spec.parts, spec.chain_depth, spec.chain_name_length, spec.faults ? "" : "-plain",
      spec.empty_files ? "-empty" : "");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return path;
  try {
    // $XDG_CACHE_HOME/concur/dirsearch is made with its parents; TMPDIR must exist already.
    if (xdg_set())
      make_dirs(base);
    else if (::mkdir(base.c_str(), 0755) != 0 && errno != EEXIST)
      fail(errno, "mkdir", base);
    ::chmod(base.c_str(), 0755);  // the unreadable-directory test walks it as nobody
    // Built aside and renamed into place, so a reader never sees half a tree, even across
    // processes; removed on SIGINT and SIGTERM, and after a SIGKILL by the next run that makes one.
    remove_stale_builds(base);
    const std::string tmp =
        fmt::format("{}{}{}-{}", path, building_marker, cleanup::owner_tag(), counter++);
    remove_tree(tmp);
    try {
      const cleanup::removed_on_signal guard(tmp);
      generate_tree(tmp, spec);
    } catch (...) {
      remove_tree(tmp);
      throw;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      const int code = errno;
      remove_tree(tmp);
      if (code != EEXIST && code != ENOTEMPTY) fail(code, "rename to", path);
    }
  } catch (const std::system_error& e) {
    throw fixture_unavailable(fmt::format("cannot make the fixture tree in {} ({}): {}", base,
                                          xdg_set()               ? "from XDG_CACHE_HOME"
                                          : std::getenv("TMPDIR") ? "from TMPDIR"
                                                                  : "TMPDIR unset",
                                          e.what()));
  }
  return path;
}

std::string fixture_tree(const tree_spec& spec, std::size_t largest_cached) {
  if (expected_entries(spec) <= largest_cached) return cached_tree(spec);
  if (spec.faults)
    throw std::invalid_argument("a fixture tree too big for the cache must have faults = false");
  struct made {
    tree_spec spec;
    std::unique_ptr<cleanup::owned_temp_dir> dir;
  };
  static std::mutex mutex;
  static std::vector<made> trees;  // destroyed at exit, which removes them
  const std::scoped_lock lock(mutex);
  for (const auto& t : trees)
    if (t.spec == spec) return t.dir->path() + "/tree";
  auto dir = std::make_unique<cleanup::owned_temp_dir>("concur-dirsearch-big");
  const std::string root = dir->path() + "/tree";
  try {
    generate_tree(root, spec);
  } catch (const std::system_error& e) {
    throw fixture_unavailable(
        fmt::format("cannot make the fixture tree in {}: {}", dir->path(), e.what()));
  }
  trees.push_back({spec, std::move(dir)});
  return root;
}

}  // namespace concur::dirsearch
