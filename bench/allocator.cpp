#include "bench/allocator.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fmt/std.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace concur::bench::allocator {
namespace {

// Set across the re-execution: the allocator asked for, and LD_PRELOAD as it was (when it was).
constexpr const char* reexec_marker = "CONCUR_ALLOCATOR_REEXEC";
constexpr const char* saved_preload = "CONCUR_SAVED_LD_PRELOAD";

// The path of the loaded object that defines `symbol` as this process resolves it.
std::string object_defining(const char* symbol) {
  Dl_info info{};
  const void* address = ::dlsym(RTLD_DEFAULT, symbol);
  if (!address || ::dladdr(address, &info) == 0 || !info.dli_fname) return {};
  return info.dli_fname;
}

const choice* find_choice(std::string_view name) {
  for (const auto& c : choices)
    if (c.name == name) return &c;
  return nullptr;
}

// Where the allocator's library is looked for: `dirs` when given, for a library installed
// elsewhere; else where the loader takes libraries from: libc's own directory
// (/lib/x86_64-linux-gnu on Debian), its /usr twin, then the generic ones.
std::vector<std::filesystem::path> library_directories(const directories& dirs) {
  namespace fs = std::filesystem;
  if (!dirs.empty()) return dirs;
  std::vector<fs::path> out;
  const fs::path libc = object_defining("getpid");
  if (libc.has_parent_path()) {
    out.push_back(libc.parent_path());
    if (libc.string().starts_with("/lib"))
      out.push_back("/usr" / libc.parent_path().relative_path());
  }
  for (const char* dir : {"/usr/lib", "/usr/local/lib", "/lib"}) out.emplace_back(dir);
  return out;
}

std::string find_library(const choice& c, const directories& dirs) {
  const auto searched = library_directories(dirs);
  for (const auto& dir : searched)
    if (std::error_code ec; std::filesystem::exists(dir / c.library, ec)) return dir / c.library;
  throw std::runtime_error(
      fmt::format("--allocator={}: {} is not installed (not in {}; Debian package {}: apt-get "
                  "install {})",
                  c.name, c.library, fmt::join(searched, ", "), c.package, c.package));
}

// LD_PRELOAD back as the user gave it, for the programs the run starts.
void restore_environment() {
  if (const char* old = std::getenv(saved_preload))
    ::setenv("LD_PRELOAD", old, 1);
  else
    ::unsetenv("LD_PRELOAD");
  ::unsetenv(saved_preload);
  ::unsetenv(reexec_marker);
}

[[noreturn]] void reexecute(const choice& c, const std::string& library, char** argv) {
  std::string preload = library;
  if (const char* old = std::getenv("LD_PRELOAD"); old && *old) {
    ::setenv(saved_preload, old, 1);
    preload += fmt::format(" {}", old);
  }
  ::setenv("LD_PRELOAD", preload.c_str(), 1);
  ::setenv(reexec_marker, std::string(c.name).c_str(), 1);
  ::execv("/proc/self/exe", argv);
  const int code = errno;
  restore_environment();
  throw std::runtime_error(
      fmt::format("--allocator={}: cannot re-execute {} with LD_PRELOAD={}: {}", c.name, argv[0],
                  library, std::strerror(code)));
}

}  // namespace

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& c : choices) out.emplace_back(c.name);
  return out;
}

loaded in_use() {
  const std::string library = object_defining("malloc");
  const std::string file = std::filesystem::path(library).filename();
  if (file.starts_with("libc.so")) return {"glibc", library};
  for (const auto& c : choices)
    if (!c.library.empty() && file.starts_with(c.library.substr(0, c.library.find('.'))))
      return {std::string(c.name), library};
  return {"other", library};
}

void use(std::string_view name, const directories& dirs, char** argv) {
  const choice* c = find_choice(name);
  if (!c) throw std::invalid_argument(fmt::format("unknown allocator {}", name));
  const bool reexecuted = std::getenv(reexec_marker) != nullptr;
  const loaded now = in_use();
  if (reexecuted) restore_environment();
  // glibc's is whatever runs without a preload: a sanitizer's malloc stays, and is recorded.
  if (now.name == name || (c->library.empty() && !reexecuted)) return;
  if (reexecuted)
    throw std::runtime_error(
        fmt::format("--allocator={}: re-executed with it in LD_PRELOAD, yet malloc comes from {}",
                    name, now.library.empty() ? "an unknown object" : now.library));
  const std::string library = find_library(*c, dirs);
  if (now.name != "glibc")
    throw std::runtime_error(fmt::format(
        "--allocator={}: malloc comes from {} already ({}); run without LD_PRELOAD or a "
        "sanitizer",
        name, now.name, now.library));
  reexecute(*c, library, argv);
}

}  // namespace concur::bench::allocator
