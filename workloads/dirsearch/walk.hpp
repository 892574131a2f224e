#pragma once
// The directory walk every model shares: open a directory relative to its parent's descriptor,
// read it with getdents64 (d_type; stat only for DT_UNKNOWN or a followed link), and hand back
// its entries and its sub-directories as jobs. The models differ only in who runs which job when.
#include <sys/types.h>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace concur::dirsearch {

enum class entry_type : std::uint8_t { file, dir, symlink, other };
std::string_view to_string(entry_type t);  // "file", "dir", "link", "other"
char type_letter(entry_type t);            // as find -printf %y: f d l, and '?' for other

// The canonical order: byte-wise, with '/' before every other byte, so a directory's contents
// follow it directly ("a", "a/b", "a b").
bool path_less(std::string_view a, std::string_view b);

struct entry {
  std::string path;  // relative to the root, the bytes the filesystem has
  entry_type type;
  bool operator==(const entry&) const = default;
  bool operator<(const entry& o) const {
    return path_less(path, o.path) || (path == o.path && type < o.type);
  }
};

struct error {
  std::string path;  // relative to the root; "" is the root itself
  int code;          // errno
  std::string message;
  bool operator==(const error&) const = default;
  bool operator<(const error& o) const {
    return path_less(path, o.path) || (path == o.path && code < o.code);
  }
};

// Where a streaming walk (concur dirsearch --print) puts each entry as it reads it, instead of
// keeping it in the tally: records of ROOT/PATH and the terminator, appended to a buffer of the
// reading thread's own, which is handed back after each getdents64 slice. The walk allocates
// nothing per entry then; the tally still counts the work. Errors go to `on_error` as they are
// met (from any reading thread), as find reports them: a walk through /proc with links followed
// meets loops of paths kilobytes long, which kept would grow without bound.
class entry_sink {
 public:
  // Called with the root (as given) and the error; the sink's owner serialises its output.
  using error_handler = std::function<void(std::string_view root, const error&)>;

  entry_sink(char terminator, error_handler on_error)
      : terminator_(terminator), on_error_(std::move(on_error)) {}
  virtual ~entry_sink() = default;
  char terminator() const { return terminator_; }
  void report(std::string_view root, const error& e) const { on_error_(root, e); }
  // The calling thread's buffer, to append whole records to.
  virtual std::string& buffer() = 0;
  // The records of one slice are in `buffer`: the sink may take them (and clear it) now.
  virtual void appended(std::string& buffer) = 0;

 private:
  char terminator_;
  error_handler on_error_;
};

struct options {
  bool follow_symlinks = false;
  entry_sink* sink = nullptr;  // when set, entries go there and not into the tally
};

// What one walker has found so far; several are merged into one root's answer.
struct tally {
  std::vector<entry> entries;
  std::vector<error> errors;
  std::size_t dirs_opened = 0;   // work parity: directories opened and read
  std::size_t entries_read = 0;  // work parity: directory entries read (without . and ..)
  void merge(tally&& other);
};

// A directory descriptor shared by the jobs that open its sub-directories; it closes with the
// last of them, so a deep chain keeps O(1) descriptors open, not one per level.
class dir_fd {
 public:
  explicit dir_fd(int fd) : fd_(fd) {}
  dir_fd(const dir_fd&) = delete;
  dir_fd& operator=(const dir_fd&) = delete;
  ~dir_fd();
  int get() const { return fd_; }

 private:
  int fd_;
};

// The directories above a job, kept only when following links: a link back to one of them is a
// loop, reported and not entered.
struct ancestor {
  dev_t dev;
  ino_t ino;
  std::shared_ptr<const ancestor> parent;
};

struct dir_job {
  std::shared_ptr<const dir_fd> parent;  // null for a root: `name` is then the root's path
  std::string name;                      // what to open relative to `parent`
  std::string rel;                       // path relative to the root; "" is the root
  std::shared_ptr<const ancestor> ancestors;
  std::string_view root;  // the root's path, as given; it outlives the walk
};

// The job for a root; `root` must outlive the walk (records name it).
dir_job root_job(const std::string& root);

// Reads one directory in slices (one getdents64 buffer each), so a caller can stop between them.
class dir_reader {
 public:
  // Opens the directory; a failure is an error in `out` and the reader is done at once.
  dir_reader(dir_job job, const options& opts, tally& out);
  // Reads one slice: its entries go to `out`, its sub-directories to `subdirs`. False when done.
  bool read_some(tally& out, std::vector<dir_job>& subdirs);

 private:
  void add(const char* name, unsigned char d_type, tally& out, std::vector<dir_job>& subdirs,
           std::string* records);
  // The error to the sink when streaming, else to the tally.
  void add_error(tally& out, std::string path, int code, std::string message) const;
  void add_errno(tally& out, std::string path, int code, std::string_view what) const;

  dir_job job_;
  std::string prefix_;  // streaming: what every record of this directory starts with
  options opts_;
  std::shared_ptr<const dir_fd> fd_;
  std::shared_ptr<const ancestor> self_;
};

// Reads one whole directory.
void read_directory(dir_job job, const options& opts, tally& out, std::vector<dir_job>& subdirs);

// The system's message for errno `code`, thread-safe.
std::string errno_message(int code);

}  // namespace concur::dirsearch
