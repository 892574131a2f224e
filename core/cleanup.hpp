#pragma once
// Nothing left behind: temporary directories this process owns are removed when it exits
// normally, when SIGINT or SIGTERM ends it (the handlers remove them, then re-raise the signal so
// the exit status still says which), and, after a SIGKILL, by the next process that makes one of
// the same kind (a lock file in each names its owner; a directory whose owner is dead is stale).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace concur::cleanup {

// SIGINT and SIGTERM handlers that remove every owned directory, then end the process with the
// signal. Call first thing in main (a signal ignored when the process started stays ignored).
void install_signal_handlers();

// Makes the signal handlers remove `path` while this object lives: a directory being built aside,
// which its builder renames into place or removes itself otherwise.
class removed_on_signal {
 public:
  explicit removed_on_signal(const std::string& path);
  ~removed_on_signal();
  removed_on_signal(const removed_on_signal&) = delete;
  removed_on_signal& operator=(const removed_on_signal&) = delete;

 private:
  int slot_ = -1;
};

// A fresh directory <base>/<stem>-XXXXXX (base: temp_base() unless given) holding the lock file,
// removed with this object. Stale directories of the same stem in base are removed first. Throws
// fixture_unavailable (core/workload.hpp), naming base (and TMPDIR), when it cannot be made.
class owned_temp_dir {
 public:
  explicit owned_temp_dir(std::string_view stem);
  owned_temp_dir(std::string_view stem, const std::string& base);
  ~owned_temp_dir();
  owned_temp_dir(const owned_temp_dir&) = delete;
  owned_temp_dir& operator=(const owned_temp_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::optional<removed_on_signal> on_signal_;
};

// "PID-START": this process (its pid and start time), for a temporary name that names its owner,
// so that a later process can tell it was left by a process that was killed.
std::string owner_tag();
// Whether the process an owner_tag() names still runs (a tag it cannot read counts as alive).
bool owner_tag_alive(std::string_view tag);

// The directory temporary files go to: $TMPDIR, or /tmp.
std::string temp_base();

// Removes stale directories <stem>-* in base (their owner is dead); returns how many.
std::size_t remove_stale(std::string_view stem, const std::string& base = temp_base());

// The name of the lock file inside an owned directory: "<pid> <start time>" of its owner.
inline constexpr std::string_view lock_file = "owner.pid";

}  // namespace concur::cleanup
