// The models' shared machinery, beyond what the workloads exercise.
#include <gtest/gtest.h>

#include <string>

#include "models/executor.hpp"
#include "models/threads.hpp"

namespace concur {
namespace {

TEST(executor, run_in_executor_keeps_a_callable_that_owns_its_captures) {
  // A capture with a destructor: moved into the pool call, used there, destroyed once. The
  // callable is a named local: GCC 12 destroys a non-trivial temporary inside a co_await
  // full-expression twice (a double free), so coroutine code here never writes one.
  executor::event_loop loop(2);
  const auto total = loop.run([&]() -> executor::task<std::size_t> {
    std::size_t sum = 0;
    for (int i = 0; i < 20; ++i) {
      auto size_of = [s = std::string(100 + i, 'x')] { return s.size(); };
      sum += co_await executor::run_in_executor(loop.pool(), std::move(size_of));
    }
    co_return sum;
  });
  EXPECT_EQ(total, 20u * 100u + 190u);
}

TEST(executor, run_in_executor_carries_the_exception_back_to_the_loop) {
  executor::event_loop loop(1);
  EXPECT_THROW(loop.run([&]() -> executor::task<void> {
    co_await executor::run_in_executor(loop.pool(),
                                       [] { throw std::runtime_error("from the pool"); });
  }),
               std::runtime_error);
}

TEST(threads, task_group_rethrows_the_first_error_after_joining_all) {
  std::atomic<int> finished{0};
  threads::task_group group(4);
  for (int i = 0; i < 4; ++i)
    group.spawn([&, i] {
      ++finished;
      if (i == 2) throw std::runtime_error("task 2");
    });
  EXPECT_THROW(group.join(), std::runtime_error);
  EXPECT_EQ(finished.load(), 4);
}

}  // namespace
}  // namespace concur
