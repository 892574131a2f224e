// processes: the tasks cut into one contiguous share per worker process; each worker starts its
// share's coroutines on its own loop, each awaiting a timer, and sends back their values and its
// count of the work; the parent gathers the shares in task order.
#include <algorithm>

#include "models/processes.hpp"
#include "workloads/sleep/on_loop.hpp"

namespace concur::sleep {

template <>
result workload::run(models::processes_model, const params& p, const models::config& config) {
  const std::size_t n = std::min<std::size_t>(std::max(1u, config.worker_processes), p.tasks);
  processes::pool workers(n, [&p](std::string_view job) {
    processes::message_reader share(job);
    const std::size_t first = share.number(), last = share.number();
    tally work;
    const auto values = loop::run([&] { return on_loop::sleepers(first, last, p.delay, work); });
    processes::message answer;
    answer.put(work.started).put(work.finished);
    for (const auto v : values) answer.put(v);
    return std::move(answer).take();
  });
  const auto shares = workers.run([&]() -> processes::task<std::vector<std::string>> {
    std::vector<processes::task<std::string>> jobs;
    for (std::size_t k = 0; k < workers.size(); ++k)
      jobs.push_back(workers.submit(
          processes::message{}.put(p.tasks * k / n).put(p.tasks * (k + 1) / n).take()));
    co_return co_await processes::gather(std::move(jobs));
  });
  result r;
  r.values.reserve(p.tasks);
  for (const auto& bytes : shares) {
    processes::message_reader share(bytes);
    r.started += share.number();
    r.finished += share.number();
    while (!share.done()) r.values.push_back(share.number());
  }
  return r;
}

}  // namespace concur::sleep
