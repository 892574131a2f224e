// Run by thread_limit_test in a process of its own: lower the thread limit for real (as an
// unprivileged user, since root ignores RLIMIT_NPROC), then ask the threads model for more
// threads than allowed. It must report the refusal, join what it started, and go on.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "tests/probe_nproc.hpp"
#include "workloads/sleep/sleep.hpp"

int main() {
  using namespace concur;
  if (!testing::lower_process_limit(16)) return 2;
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
