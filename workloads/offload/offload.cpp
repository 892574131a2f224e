#include "workloads/offload/offload.hpp"

#include <fmt/format.h>

#include <thread>

#include "core/diff.hpp"

namespace concur::offload {

std::uint64_t value_of(std::size_t i) {
  std::uint64_t z = static_cast<std::uint64_t>(i) * 0x2545f4914f6cdd1dULL + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  return z ^ (z >> 31);
}

std::uint64_t sundial(std::size_t i, std::chrono::milliseconds delay) {
  std::this_thread::sleep_for(delay);
  return value_of(i);
}

std::vector<case_def<params>> workload::cases() {
  using std::chrono::milliseconds;
  std::vector<case_def<params>> out{
      {"n4_d1ms", case_kind::test, {4, milliseconds(1)}},
      {"n20_d2ms", case_kind::test, {20, milliseconds(2)}},
      {"n16_d20ms", case_kind::bench, {16, milliseconds(20), true}},
  };
  // The size ladder of calls at 10 ms, through the bench case n64_d10ms.
  for (std::size_t n : {16, 64, 256, 1'024})
    out.push_back({.name = fmt::format("n{}_d10ms", n),
                   .kind = n == 64 ? case_kind::bench : case_kind::sweep,
                   .params = {n, milliseconds(10), n == 64},
                   .ladder = ladder_point{"calls", static_cast<double>(n)}});
  return out;
}

result workload::reference(const params& p) {
  result r{.calls = p.calls};
  for (std::size_t i = 0; i < p.calls; ++i) r.values.push_back(value_of(i));
  return r;
}

double workload::ideal_seconds(const params& p, models::in_flight limit) {
  // Every call blocks once; k in flight need ceil(N / k) rounds. The coroutines model has no
  // bound on tasks in flight, but each direct call blocks its loop: it takes N rounds instead.
  return models::waves(p.calls, limit) * std::chrono::duration<double>(p.delay).count();
}

std::string workload::describe_diff(const result& expected, const result& actual) {
  return diff{}
      .field("calls", expected.calls, actual.calls)
      .sequence("values", expected.values, actual.values,
                [](std::uint64_t v) { return fmt::format("{:#x}", v); })
      .str();
}

}  // namespace concur::offload
