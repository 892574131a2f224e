#pragma once
// CPU time in seconds, from the kernel's CPU clocks (a process's, a thread's, another process's)
// and its accounts of waited-for children.
#include <sys/resource.h>
#include <sys/time.h>

#include <ctime>

namespace concur::cpu_time {

inline double seconds(const timespec& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
inline double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
}

// The clock's reading, or 0 when it cannot be read (its thread or process is gone).
inline double of_clock(clockid_t clock) {
  timespec ts{};
  return clock_gettime(clock, &ts) == 0 ? seconds(ts) : 0.0;
}

// This process, all its threads.
inline double of_process() {
  return of_clock(CLOCK_PROCESS_CPUTIME_ID);
}

// User + system time of an rusage (wait4's for one child, RUSAGE_CHILDREN's for all).
inline double of_usage(const rusage& u) {
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

}  // namespace concur::cpu_time
