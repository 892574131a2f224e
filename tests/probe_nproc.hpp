#pragma once
// What the probes of RLIMIT_NPROC share (probe_thread_limit, probe_process_limit): become an
// unprivileged user, since root ignores the limit, then lower it for real.
#include <pwd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace concur::testing {

// True when this process now runs as nobody (or was not root) under a process limit of `n`;
// false, having said why on stderr, when it could not.
inline bool lower_process_limit(rlim_t n) {
  if (getuid() == 0) {
    const passwd* nobody = getpwnam("nobody");
    if (!nobody || setgid(nobody->pw_gid) != 0 || setuid(nobody->pw_uid) != 0) {
      std::perror("dropping privileges");
      return false;
    }
  }
  const rlimit few{n, n};
  if (setrlimit(RLIMIT_NPROC, &few) != 0) {
    std::perror("setrlimit");
    return false;
  }
  return true;
}

}  // namespace concur::testing
