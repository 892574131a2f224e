#pragma once
// fork() for a child that runs this program's own code (a worker, a server) and ends with _exit.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace concur {

// Forks with every signal blocked across the fork, so that none of the parent's handlers runs in
// the child before it has set its own: `child(parent_pid)` runs in the child and must set them and
// unblock what it takes, then end the process (_exit; a return ends it with status 127). The
// parent gets the child's pid, or -1 with errno as fork set it.
template <class F>
pid_t fork_with_signals_blocked(F&& child) {
  sigset_t all, before;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &before);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    child(parent);
    ::_exit(127);
  }
  const int fork_error = errno;
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  errno = fork_error;
  return pid;
}

}  // namespace concur
