#pragma once
// Small helpers the tests share: run a command and capture what it printed, a temporary
// directory, every model in turn.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/workload.hpp"
#include "models/models.hpp"

namespace concur::testing {

// The asan preset builds with -fsanitize=address,undefined.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool built_with_asan = true;
#else
inline constexpr bool built_with_asan = false;
#endif

// The tsan preset builds with -fsanitize=thread. It watches every memory access for a race, at
// 5-15 times the other builds' time: a test of code that runs on one thread (parsing a site's
// pages) learns nothing from it that the other builds do not, and is skipped under it.
#if defined(__SANITIZE_THREAD__)
inline constexpr bool built_with_tsan = true;
#else
inline constexpr bool built_with_tsan = false;
#endif
inline constexpr const char* one_thread_under_tsan =
    "the code under test runs on one thread: ThreadSanitizer has no race to find, and the dev and "
    "asan builds run it";

// UBSan's vptr check (the asan preset) probes memory through a pipe: with no descriptor left it
// calls valid objects invalid and aborts.
inline constexpr bool built_with_ubsan_vptr_check = built_with_asan;
inline constexpr const char* no_descriptor_for_ubsan =
    "UBSan's vptr check probes memory through a pipe: with no descriptor left it calls valid "
    "objects invalid and aborts";

struct command_result {
  int exit_code;
  std::string output;  // stdout and stderr together
};

inline command_result run_command(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), output};
}

// A fresh directory under the system's temporary directory, removed with this object.
class temp_dir {
 public:
  explicit temp_dir(const std::string& stem) {
    std::string pattern = (std::filesystem::temp_directory_path() / (stem + ".XXXXXX")).string();
    path_ = mkdtemp(pattern.data());
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Calls f(M{}) for each model M in models::all that workload W does not decline: a test written
// with it covers a new model as is.
template <class W, class F>
void for_each_model(F&& f) {
  for_each_type(models::all{}, [&]<class M>() {
    if constexpr (!declines<W, M>) f(M{});
  });
}

// Whether the process is gone (a zombie counts: whoever adopted it may never reap it).
inline bool gone(long pid) {
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return true;
  char state = '?';
  const int read = std::fscanf(f, "%*d (%*[^)]) %c", &state);
  std::fclose(f);
  return read == 1 && (state == 'Z' || state == 'X');
}

}  // namespace concur::testing
