// Run by thread_limit_test in a process of its own: lower the thread limit for real (as an
// unprivileged user, since root ignores RLIMIT_NPROC), then ask the threads model for more
// threads than allowed. It must report the refusal, join what it started, and go on.
#include <pwd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "workloads/sleep/sleep.hpp"

int main() {
  using namespace concur;
  if (getuid() == 0) {
    const passwd* nobody = getpwnam("nobody");
    if (!nobody || setgid(nobody->pw_gid) != 0 || setuid(nobody->pw_uid) != 0) {
      std::perror("dropping privileges");
      return 2;
    }
  }
  const rlimit few{16, 16};
  if (setrlimit(RLIMIT_NPROC, &few) != 0) {
    std::perror("setrlimit");
    return 2;
  }
  const auto config = models::config::defaults();
  try {
    // Long enough that every thread is still alive when the next is asked for, even under TSan.
    sleep::workload::run(models::threads_model{}, {200, std::chrono::milliseconds(300)}, config);
    std::puts("no refusal");
    return 3;
  } catch (const resource_exhausted& e) {
    std::printf("refused: %s\n", e.what());
  }
  // The refused run left nothing behind: a run that fits still works.
  const auto r =
      sleep::workload::run(models::threads_model{}, {4, std::chrono::milliseconds(1)}, config);
  if (r != sleep::workload::reference({4, std::chrono::milliseconds(1)})) return 4;
  std::puts("after the refusal, 4 threads ran fine");
  return 0;
}
