// sequential: one task at a time on the calling thread; nothing runs beside a task to cancel it,
// so a cancel request or a deadline is a moment the task checks for between 1 ms slices of sleep.
#include <thread>

#include "workloads/techniques/techniques.hpp"

namespace concur::techniques {
namespace {

// The long task: sleeps in slices until `stop_at`; true when it was stopped there.
bool long_task(clock::time_point stop_at, clock::time_point& ended) {
  const clean_up stamp{ended};
  const auto end = clock::now() + forever;
  for (auto now = clock::now(); now < end; now = clock::now()) {
    if (now >= stop_at) return true;
    std::this_thread::sleep_for(
        std::min<clock::duration>(std::chrono::milliseconds(1), stop_at - now));
  }
  return false;
}

}  // namespace

template <>
result workload::run(models::sequential_model, const params& p, const models::config&) {
  result r;
  for (std::size_t i = 0; i < p.rounds; ++i) {
    const auto request = clock::now() + p.cancel_after;
    clock::time_point ended;
    const bool cancelled = long_task(request, ended);
    count_cancel(r, cancelled, request, ended);
  }
  for (std::size_t i = 0; i < p.rounds; ++i) {
    const auto deadline = clock::now() + p.timeout;
    clock::time_point ended;
    count_timeout(r, long_task(deadline, ended), deadline);
  }
  {
    const poll_clock poller;
    std::this_thread::sleep_for(p.poll_task);  // the task runs in the caller: nothing to poll
    ++r.polled;
    poller.stop(r);
  }
  for (std::size_t i = 0; i < gather_tasks; ++i) {  // first error: the tasks after it never start
    std::this_thread::sleep_for(gather_delay(i));
    if (gather_fails(i)) {
      r.first_error = gather_error(i);
      break;
    }
  }
  for (std::size_t i = 0; i < gather_tasks; ++i) {
    std::this_thread::sleep_for(gather_delay(i));
    r.collected.push_back(gather_described(i));
  }
  return r;
}

}  // namespace concur::techniques
