// Run by fiber_limit_test in a process of its own: lower the address-space limit for real
// (RLIMIT_AS, which an unprivileged process may lower) to a little above what the process maps
// now, then ask the fibers model for more fibers than their stacks fit in. It must report the
// refusal, end the fibers it started, and go on.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "workloads/sleep/sleep.hpp"

int main() {
  using namespace concur;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // A sanitizer's shadow memory is terabytes of address space: any RLIMIT_AS below it refuses
  // the sanitizer's own maps.
  std::puts("skip: RLIMIT_AS cannot be lowered under a sanitizer");
  return 0;
#endif
  std::size_t pages = 0;
  std::ifstream("/proc/self/statm") >> pages;
  if (pages == 0) {
    std::puts("could not read /proc/self/statm");
    return 2;
  }
  const rlim_t headroom = 256 << 20;  // room for a few thousand 64 KiB stacks, not 100,000
  const rlim_t limit = pages * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + headroom;
  const rlimit low{limit, limit};
  if (setrlimit(RLIMIT_AS, &low) != 0) {
    std::perror("setrlimit");
    return 2;
  }
  const auto config = models::config::defaults();
  try {
    sleep::workload::run(models::fibers_model{}, {100'000, std::chrono::milliseconds(100)}, config);
    std::puts("no refusal");
    return 3;
  } catch (const resource_exhausted& e) {
    std::printf("refused: %s\n", e.what());
  }
  // The refused run left nothing behind: a run that fits still works.
  const sleep::params fits{4, std::chrono::milliseconds(1)};
  if (sleep::workload::run(models::fibers_model{}, fits, config) !=
      sleep::workload::reference(fits))
    return 4;
  std::puts("after the refusal, 4 fibers ran fine");
  return 0;
}
