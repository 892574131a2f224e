// threads: each task on a std::jthread of its own; the caller cancels it with its stop_token
// (a condition variable wakes the task's sleep at once) and blocks in join() for its end.
#include "models/threads_control.hpp"
#include "workloads/techniques/blocking.hpp"

namespace concur::techniques {
namespace {

threads::stoppable<int> long_task(clock::time_point& ended) {
  return [&ended](std::stop_token stop) {
    const clean_up stamp{ended};
    threads::sleep_for(forever, stop);
    return -1;
  };
}

threads::stoppable<int> poll_task(std::chrono::milliseconds d) {
  return [d](std::stop_token stop) {
    threads::sleep_for(d, stop);
    return 1;
  };
}

threads::stoppable<int> gather_task(std::size_t i) {
  return [i](std::stop_token stop) -> int {
    threads::sleep_for(gather_delay(i), stop);
    if (gather_fails(i)) throw std::runtime_error(gather_error(i));
    return gather_values[i];
  };
}

}  // namespace

template <>
result workload::run(models::threads_model, const params& p, const models::config&) {
  result r;
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    threads::future_task<int> task(long_task(ended));
    blocking::cancel_mid_flight(task, p.cancel_after, ended, r);
  }
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    threads::future_task<int> task(long_task(ended));
    blocking::time_out(task, p.timeout, r);
  }
  {
    threads::future_task<int> task(poll_task(p.poll_task));
    blocking::poll(task, r);
  }
  r.first_error =
      blocking::first_error([] { threads::gather_first_error(gather_list(gather_task)); });
  r.collected = describe(threads::gather_collect(gather_list(gather_task)));
  return r;
}

}  // namespace concur::techniques
