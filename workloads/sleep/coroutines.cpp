// coroutines: a coroutine per task on one thread, each awaiting a timer; nothing blocks.
#include "models/coroutines.hpp"
#include "workloads/sleep/sleep.hpp"

namespace concur::sleep {
namespace {

coroutines::task<std::uint64_t> slow(std::size_t i, std::chrono::milliseconds delay, tally& work) {
  ++work.started;
  // The timer lives in this coroutine's frame (Asio's own idiom); a nested sleep_for coroutine
  // would cost a second frame per task.
  coroutines::timer timer(co_await coroutines::this_executor, delay);
  co_await timer.async_wait(coroutines::use_task);
  ++work.finished;
  co_return value_of(i);
}

}  // namespace

template <>
result workload::run(models::coroutines_model, const params& p, const models::config&) {
  tally work;
  auto values = coroutines::run([&]() -> coroutines::task<std::vector<std::uint64_t>> {
    std::vector<coroutines::task<std::uint64_t>> tasks;
    tasks.reserve(p.tasks);
    for (std::size_t i = 0; i < p.tasks; ++i) tasks.push_back(slow(i, p.delay, work));
    co_return co_await coroutines::gather(std::move(tasks));
  });
  return work.into(std::move(values));
}

}  // namespace concur::sleep
