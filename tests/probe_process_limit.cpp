// Run by processes_test in a process of its own: lower the process limit for real (as an
// unprivileged user, since root ignores RLIMIT_NPROC), then ask the processes model for more
// workers than allowed. It must report the refusal, reap the workers it forked, and go on.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "tests/probe_nproc.hpp"
#include "workloads/sleep/sleep.hpp"

int main() {
  using namespace concur;
  if (!testing::lower_process_limit(16)) return 2;
  auto config = models::config::defaults();
  config.worker_processes = 200;
  const sleep::params wide{200, std::chrono::milliseconds(1)};
  try {
    sleep::workload::run(models::processes_model{}, wide, config);
    std::puts("no refusal");
    return 3;
  } catch (const resource_exhausted& e) {
    std::printf("refused: %s\n", e.what());
  }
  // Every worker forked before the refusal was reaped: this process has no child at all.
  if (waitpid(-1, nullptr, WNOHANG) != -1 || errno != ECHILD) return 4;
  std::puts("no worker left behind");
  config.worker_processes = 2;
  const sleep::params fits{4, std::chrono::milliseconds(1)};
  if (sleep::workload::run(models::processes_model{}, fits, config) !=
      sleep::workload::reference(fits))
    return 5;
  std::puts("after the refusal, 2 workers ran fine");
  return 0;
}
