#include "workloads/sleep/sleep.hpp"

#include <fmt/format.h>

#include "core/diff.hpp"

namespace concur::sleep {

std::uint64_t value_of(std::size_t i) {
  // splitmix64's finaliser
  std::uint64_t z = static_cast<std::uint64_t>(i) + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::vector<case_def<params>> workload::cases() {
  using std::chrono::milliseconds;
  std::vector<case_def<params>> out{
      {"n10_d1ms", case_kind::test, {10, milliseconds(1)}},
      {"n100_d1ms", case_kind::test, {100, milliseconds(1)}},
  };
  // The default run keeps the course's 10 tasks and the rungs where the models part (10,000 and
  // 100,000 tasks); the rungs between, and 1M tasks (1-6 s a run), are --sweep's.
  for (std::size_t n : {10, 100, 1'000, 10'000, 100'000, 1'000'000})
    out.push_back(
        {.name = fmt::format("n{}_d100ms", n),
         .kind = n == 10 || n == 10'000 || n == 100'000 ? case_kind::bench : case_kind::sweep,
         .params = {n, milliseconds(100), true},
         .ladder = ladder_point{"tasks", static_cast<double>(n)}});
  return out;
}

result workload::reference(const params& p) {
  result r{.values = std::vector<std::uint64_t>(p.tasks), .started = p.tasks, .finished = p.tasks};
  for (std::size_t i = 0; i < p.tasks; ++i) r.values[i] = value_of(i);
  return r;
}

double workload::ideal_seconds(const params& p, models::in_flight limit) {
  // Every task waits once; a model with k in flight needs ceil(N / k) rounds of the delay.
  return models::waves(p.tasks, limit) * std::chrono::duration<double>(p.delay).count();
}

std::string workload::describe_diff(const result& expected, const result& actual) {
  return diff{}
      .field("tasks started", expected.started, actual.started)
      .field("tasks finished", expected.finished, actual.finished)
      .sequence("values", expected.values, actual.values,
                [](std::uint64_t v) { return fmt::format("{:#x}", v); })
      .str();
}

}  // namespace concur::sleep
