// fibers: every task a fiber on one thread, written in blocking style; cancel() emits an Asio
// cancellation signal that ends the task's pending timer wait at once (it throws
// operation_aborted on the task's fiber, so its clean-up runs), and wait_for waits on the task
// with a deadline, then cancels it.
#include "models/fibers_control.hpp"
#include "workloads/techniques/techniques.hpp"

namespace concur::techniques {
namespace {

using fibers::yield_context;

fibers::job<int> long_task(clock::time_point& ended) {
  return [&ended](yield_context yield) {
    const clean_up stamp{ended};
    fibers::sleep_for(forever, yield);
    return -1;
  };
}

fibers::job<int> gather_task(std::size_t i) {
  return [i](yield_context yield) -> int {
    fibers::sleep_for(gather_delay(i), yield);
    if (gather_fails(i)) throw std::runtime_error(gather_error(i));
    return gather_values[i];
  };
}

void cancel_rounds(const params& p, result& r, yield_context yield) {
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    fibers::task<int> task(yield, long_task(ended));
    fibers::sleep_for(p.cancel_after, yield);
    const auto request = clock::now();
    task.cancel();
    bool cancelled = false;
    try {
      task.get(yield);
    } catch (const boost::system::system_error& e) {
      cancelled = fibers::is_cancelled(e);
    }
    count_cancel(r, cancelled, request, ended);
  }
}

void wait_for_rounds(const params& p, result& r, yield_context yield) {
  for (std::size_t i = 0; i < p.rounds; ++i) {
    clock::time_point ended;
    const auto deadline = clock::now() + p.timeout;
    const auto value = fibers::wait_for(long_task(ended), p.timeout, yield);
    count_timeout(r, !value, deadline);
  }
}

// Polls the task's done() every 1 ms, sleeping on the loop in between.
void poll(const params& p, result& r, yield_context yield) {
  fibers::task<int> task(yield, [d = p.poll_task](yield_context yield) {
    fibers::sleep_for(d, yield);
    return 1;
  });
  const poll_clock poller;
  while (!task.done()) fibers::sleep_for(std::chrono::milliseconds(1), yield);
  poller.stop(r);
  r.polled += static_cast<std::size_t>(task.get(yield));
}

void gather(result& r, yield_context yield) {
  try {
    fibers::gather_first_error(gather_list(gather_task), yield);
  } catch (const std::exception& e) {
    r.first_error = e.what();
  }
  r.collected = describe(fibers::gather_collect(gather_list(gather_task), yield));
}

}  // namespace

template <>
result workload::run(models::fibers_model, const params& p, const models::config&) {
  result r;
  fibers::run([&](yield_context yield) {
    cancel_rounds(p, r, yield);
    wait_for_rounds(p, r, yield);
    poll(p, r, yield);
    gather(r, yield);
  });
  return r;
}

}  // namespace concur::techniques
