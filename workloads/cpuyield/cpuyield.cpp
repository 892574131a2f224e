#include "workloads/cpuyield/cpuyield.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/diff.hpp"
#include "core/stopwatch.hpp"

namespace concur::cpuyield {

std::uint64_t yields_of(const params& p) {
  if (p.yield_every == 0 || p.iterations == 0) return 0;
  return (p.iterations - 1) / p.yield_every;
}

namespace {

// Times a short run of the bare computation: milliseconds per step.
double solo_ms_per_step(std::uint64_t iterations) {
  const std::uint64_t n = std::clamp<std::uint64_t>(iterations / 4, 1, 4'000'000);
  const stopwatch elapsed;
  volatile std::uint64_t sink = compute(seed, 0, n);
  (void)sink;
  return elapsed.milliseconds() / static_cast<double>(n);
}

}  // namespace

measurement::measurement(const params& p) : solo_ms_per_step_(solo_ms_per_step(p.iterations)) {}

result measurement::finish(result r) const {
  const double solo = solo_ms_per_step_;
  r.compute_ms = std::chrono::duration<double, std::milli>(compute_time_).count();
  r.slowdown = r.iterations > 0 && solo > 0
                   ? r.compute_ms / (solo * static_cast<double>(r.iterations))
                   : 0.0;
  r.ticks = beats.ticks();
  r.worst_gap_ms = beats.worst_gap_ms();
  r.p99_gap_ms = beats.gap_percentile_ms(99);
  return r;
}

std::vector<case_def<params>> workload::cases() {
  using std::chrono::microseconds;
  std::vector<case_def<params>> out{
      {"n100k_never", case_kind::test, {100'000, 0, microseconds(1000), true}},
      {"n100k_k1000", case_kind::test, {100'000, 1'000, microseconds(1000), true}},
      {"n7_k3", case_kind::test, {7, 3, microseconds(1000), true}},
  };
  // Never, and often enough to keep the heartbeat (every 100 steps); seldom is --sweep's.
  for (std::uint64_t k : {0, 100, 100'000})
    out.push_back({k ? fmt::format("n30m_k{}", k) : "n30m_never",
                   k == 100'000 ? case_kind::sweep : case_kind::bench,
                   {30'000'000, k}});
  // Sized for the course's Python (about half a second of it; 30 million steps would take 15 s):
  // beside the heartbeat, py-threads computes under the GIL, py-processes beside it.
  out.push_back({"n1m_never", case_kind::bench, {1'000'000, 0, microseconds(1000), true}});
  return out;
}

result workload::reference(const params& p) {
  return {
      .answer = compute(seed, 0, p.iterations), .iterations = p.iterations, .yields = yields_of(p)};
}

double workload::ideal_seconds(const params& p, models::in_flight) {
  // The computation alone, at about a nanosecond and a half a step.
  return static_cast<double>(p.iterations) * 1.5e-9;
}

std::string workload::describe_diff(const result& expected, const result& actual) {
  return diff{}
      .field("answer", expected.answer, actual.answer)
      .field("iterations", expected.iterations, actual.iterations)
      .field("yields", expected.yields, actual.yields)
      .str();
}

}  // namespace concur::cpuyield
