#pragma once
// Fixture trees: deterministic by seed (the same spec gives the same tree, byte for byte, on any
// machine), with what real trees contain besides plain files and directories.
//
//   ROOT/tree/...            the random part: `dirs` directories up to `depth` deep, each with
//                            `files_per_dir` files; hidden names, spaces and invalid UTF-8 among
//                            them
//   ROOT/.hidden/, .dotfile  hidden entries
//   ROOT/notes.txt, ROOT/name with spaces.txt, "ROOT/line\nbreak", "ROOT/bad-\xff\xfe.bin"
//   ROOT/link-to-file -> notes.txt, ROOT/link-to-dir -> tree   (links, not followed by default)
//   ROOT/loop-a -> loop-b, ROOT/loop-b -> loop-a               (a symlink loop)
//   ROOT/cycle -> .                                            (a directory loop when following)
//   ROOT/dangling -> no-such-target
//   ROOT/fifo                                                  (neither file, dir nor link)
//   ROOT/empty/
//   ROOT/chain/c..c/c..c/...                                   (`chain_depth` levels, deeper than
//                                                              PATH_MAX as one path) and bottom.txt
//   ROOT/locked/secret.txt                                     (locked/ has mode 000)
#include <cstddef>
#include <cstdint>
#include <string>

namespace concur::dirsearch {

struct tree_spec {
  std::uint64_t seed = 1;
  std::size_t dirs = 40;          // directories in ROOT/tree, besides tree itself
  std::size_t files_per_dir = 3;  // files in each of them (and in tree)
  std::size_t depth = 4;          // how deep below ROOT/tree they go
  std::size_t chain_depth = 110;  // levels of ROOT/chain; 0 leaves the chain out
  std::size_t chain_name_length = 40;
  bool faults = true;     // the special entries at the top; false: ROOT/tree only
  std::size_t parts = 1;  // random parts: ROOT/tree, then ROOT/tree2, ROOT/tree3, ...
  // Files without their contents (the same names): a walk never reads them, and a disk block
  // each makes a tree of a million entries 4 GB, slow to write and to remove.
  bool empty_files = false;
  bool operator==(const tree_spec&) const = default;
};

struct tree_summary {
  std::size_t dirs = 0, files = 0, symlinks = 0, others = 0;  // below ROOT, ROOT not counted
  std::size_t bytes = 0;                                      // file contents written
  std::uint64_t hash = 0;  // FNV-1a over every entry's path, kind, mode and contents or target
  std::size_t entries() const { return dirs + files + symlinks + others; }
};

// How many entries generate_tree makes below ROOT, without making them.
std::size_t expected_entries(const tree_spec& spec);

// Creates the tree in ROOT, which must not exist yet (its parent must). Throws std::system_error
// on failure, naming the path.
tree_summary generate_tree(const std::string& root, const tree_spec& spec);

// Removes a tree however deep or locked (std::filesystem::remove_all fails past PATH_MAX).
// Returns false when ROOT did not exist; throws std::system_error on other failures.
bool remove_tree(const std::string& root);

// A fixture tree generated once and kept: $XDG_CACHE_HOME/concur/dirsearch/<spec> or, without it,
// $TMPDIR/concur-dirsearch-<uid>/<spec> (TMPDIR unset: /tmp). Safe to call from several threads
// and processes at once. Throws fixture_unavailable (core/workload.hpp) when it cannot be made.
std::string cached_tree(const tree_spec& spec);

// Trees of more entries than this are too big to keep in the cache.
inline constexpr std::size_t largest_cached_entries = 500'000;

// The fixture tree of a case: cached_tree, or for a tree above `largest_cached` entries one made
// at first use in a temporary directory this process owns (core/cleanup.hpp), kept for the
// process's later runs and removed at its exit (or on SIGINT, SIGTERM, or by the next process
// after a SIGKILL). Such a tree needs faults = false: the signal handlers cannot unlock
// ROOT/locked. Throws fixture_unavailable when it cannot be made.
std::string fixture_tree(const tree_spec& spec,
                         std::size_t largest_cached = largest_cached_entries);

}  // namespace concur::dirsearch
