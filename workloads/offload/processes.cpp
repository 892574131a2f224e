// processes: each call handed to a worker process (ProcessPoolExecutor through run_in_executor),
// where the blocking call runs, one at a time per worker; the parent's loop awaits the answers and
// its heartbeat keeps ticking, since nothing blocks it.
#include <algorithm>

#include "models/processes.hpp"
#include "workloads/offload/on_loop.hpp"

namespace concur::offload {
namespace {

processes::task<std::uint64_t> call(processes::pool& workers, std::size_t i, std::size_t& calls) {
  const auto answer = co_await workers.submit(processes::message{}.put(i).take());
  ++calls;
  co_return processes::message_reader(answer).number();
}

}  // namespace

template <>
result workload::run(models::processes_model, const params& p, const models::config& config) {
  const std::size_t n = std::min<std::size_t>(std::max(1u, config.worker_processes), p.calls);
  processes::pool workers(n, [&p](std::string_view job) {
    const auto i = processes::message_reader(job).number();
    return processes::message{}.put(sundial(i, p.delay)).take();
  });
  on_loop s;
  result r;
  r.values = workers.run([&]() -> processes::task<std::vector<std::uint64_t>> {
    std::vector<processes::task<std::uint64_t>> calls;
    for (std::size_t i = 0; i < p.calls; ++i) calls.push_back(call(workers, i, r.calls));
    co_return co_await s.gather(std::move(calls));
  });
  return s.finish(std::move(r));
}

}  // namespace concur::offload
