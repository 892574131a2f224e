#pragma once
// fork() for a child that runs this program's own code (a worker, a server) and ends with _exit.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace concur {

// A fork copies the process with only the thread that forked: a lock another thread held at that
// moment (the allocator's, an io_context's) stays held in the child forever, and the child hangs
// at its first malloc. (glibc's own malloc takes its locks across fork; GCC 12's AddressSanitizer
// does not, and other libraries' locks are nobody's.) So threads that run beside code that forks
// (a server on threads of its own) enlist here, and every fork first parks them where they hold
// nothing.
namespace fork_gate {

// Threads that can be parked: park() returns once each of them waits for resume(), holding no
// lock of its own or of a library's.
class parkable {
 public:
  virtual void park() = 0;
  virtual void resume() noexcept = 0;

 protected:
  ~parkable() = default;
};

// While it is enlisted, every fork of this process (fork_with_signals_blocked) parks it. leave()
// waits for a fork under way; call it before the threads stop.
void enlist(parkable& p);
void leave(parkable& p) noexcept;

// Every enlisted thread parked while this lives: one round for several forks. Nests; one thread
// at a time holds it.
class parked {
 public:
  parked();
  ~parked();
  parked(const parked&) = delete;
  parked& operator=(const parked&) = delete;
};

}  // namespace fork_gate

// Forks with every enlisted thread parked and every signal blocked across the fork, so that none
// of the parent's handlers runs in the child before it has set its own: `child(parent_pid)` runs
// in the child and must set them and unblock what it takes, then end the process (_exit; a return
// ends it with status 127). The parent gets the child's pid, or -1 with errno as fork set it.
template <class F>
pid_t fork_with_signals_blocked(F&& child) {
  const fork_gate::parked quiet;
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
