#pragma once
// The memory allocator as a run setting (--allocator): glibc's malloc, or jemalloc or mimalloc from
// their Debian packages, loaded by re-executing concur-bench with LD_PRELOAD. The allocator and
// the first touch of memory decide much of the cells that make many small objects (the sleep
// ladder, dirsearch, fetch), so a run records which one it ran on.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace concur::bench::allocator {

// An allocator a run may ask for; glibc's needs no library.
struct choice {
  std::string_view name;     // as --allocator takes it
  std::string_view library;  // the shared object's file name, found in the loader's directories
  std::string_view package;  // the Debian package that installs it
};
inline constexpr choice choices[] = {
    {"glibc", "", ""},
    {"jemalloc", "libjemalloc.so.2", "libjemalloc2"},
    {"mimalloc", "libmimalloc.so.2", "libmimalloc2.0"},
};
std::vector<std::string> names();

// What provides this process's malloc: the allocator's name ("glibc", "jemalloc", "mimalloc", or
// "other") and the path of the object that defines the symbol.
struct loaded {
  std::string name, library;
};
loaded in_use();

// Where to look for an allocator's library instead of the loader's directories (--allocator-dirs);
// empty: the loader's.
using directories = std::vector<std::filesystem::path>;

// Makes this process run on allocator `name` (one of names()): returns when it does; otherwise
// re-executes the program with the allocator's library (looked for in `dirs`) in LD_PRELOAD (the
// function does not return then). After the re-execution LD_PRELOAD is as it was before, so the
// programs the run starts (find, wrk, Python) get the environment the user gave. Throws
// std::runtime_error (exit status 1) when the library is not installed (naming the package), when
// the re-executed process still does not run on it, or when another allocator is preloaded already.
void use(std::string_view name, const directories& dirs, char** argv);

}  // namespace concur::bench::allocator
