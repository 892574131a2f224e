// executor: a coroutine per task on the loop thread; each blocking sleep runs on the pool and is
// awaited, so pool-size sleeps are in flight at once.
#include <thread>

#include "models/executor.hpp"
#include "workloads/sleep/sleep.hpp"

namespace concur::sleep {
namespace {

executor::task<std::uint64_t> slow(boost::asio::thread_pool& pool, std::size_t i, const params& p,
                                   tally& work) {
  ++work.started;
  co_await executor::run_in_executor(pool, [&] { std::this_thread::sleep_for(p.delay); });
  ++work.finished;
  co_return value_of(i);
}

}  // namespace

template <>
result workload::run(models::executor_model, const params& p, const models::config& config) {
  tally work;
  executor::event_loop loop(config.pool_threads);
  auto values = loop.run([&]() -> executor::task<std::vector<std::uint64_t>> {
    std::vector<executor::task<std::uint64_t>> tasks;
    tasks.reserve(p.tasks);
    for (std::size_t i = 0; i < p.tasks; ++i) tasks.push_back(slow(loop.pool(), i, p, work));
    co_return co_await executor::gather(std::move(tasks));
  });
  return work.into(std::move(values));
}

}  // namespace concur::sleep
