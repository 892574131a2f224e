#pragma once
// CPU work that yields, from the course's lab on tight loops: a CPU-bound computation (a chain of
// `iterations` mixing steps, whose last value is the checkable answer) runs beside a heartbeat
// that wants to tick every `period`. It never yields (yield_every = 0) or yields every k steps
// (asyncio.sleep(0)). Measured: the heartbeat's worst and 99th-percentile gap, and how much slower
// the computation ran than it does alone.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/workload.hpp"
#include "models/heartbeat.hpp"
#include "models/models.hpp"

namespace concur::cpuyield {

struct params {
  std::uint64_t iterations;
  std::uint64_t yield_every;  // 0: never yields
  std::chrono::microseconds period{1000};
  bool peers = false;  // time the course's Python doing this work beside the models on this case
};

struct result {
  std::uint64_t answer = 0;
  std::uint64_t iterations = 0;  // work parity: steps computed
  std::uint64_t yields = 0;      // and the times the computation offered to yield
  // Measured, not compared:
  double compute_ms = 0;  // the computation's wall time beside the heartbeat
  double slowdown = 0;    // compute_ms over the same steps alone, timed in the same run
  double worst_gap_ms = 0;
  double p99_gap_ms = 0;
  std::size_t ticks = 0;
  bool operator==(const result& o) const {
    return answer == o.answer && iterations == o.iterations && yields == o.yields;
  }
};

// One step of the computation.
inline std::uint64_t step(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Runs steps [from, to) of the chain from x; the caller yields between slices.
inline std::uint64_t compute(std::uint64_t x, std::uint64_t from, std::uint64_t to) {
  for (std::uint64_t i = from; i < to; ++i) x = step(x);
  return x;
}

inline constexpr std::uint64_t seed = 42;

// The chain computed slice by slice (`yield_every` steps, or all at once): between two slices is a
// yield point, where each model yields its own way. Fills r.iterations, r.yields and r.answer.
class sliced_chain {
 public:
  sliced_chain(const params& p, result& r)
      : p_(p), r_(r), slice_(p.yield_every ? p.yield_every : p.iterations) {}
  // Computes the next slice; true when a yield point follows it (steps remain).
  bool next_slice() {
    const std::uint64_t next = std::min(p_.iterations, r_.iterations + slice_);
    x_ = compute(x_, r_.iterations, next);
    r_.iterations = next;
    if (r_.iterations < p_.iterations) {
      ++r_.yields;
      return true;
    }
    r_.answer = x_;
    return false;
  }

 private:
  const params& p_;
  result& r_;
  std::uint64_t slice_;
  std::uint64_t x_ = seed;
};

// The yield points of a run: after every full slice of `yield_every` steps except the last.
std::uint64_t yields_of(const params& p);

// What a run measures besides its answer: the bare computation's pace (timed first, alone, for
// the slow-down), the heartbeat's ticks, and the computation's time beside the heartbeat.
class measurement {
 public:
  using clock = std::chrono::steady_clock;

  explicit measurement(const params& p);
  heartbeat_log beats;
  void computation_starts() { start_ = clock::now(); }
  void computation_ends() { compute_time_ = clock::now() - start_; }
  // r with its measured fields filled.
  result finish(result r) const;

 private:
  double solo_ms_per_step_;
  clock::time_point start_;
  clock::duration compute_time_{};
};

// The figures a run measures beside its answer (its counters' names).
namespace figures {
inline constexpr std::string_view slowdown = "slowdown";
inline constexpr std::string_view heartbeat_p99_ms = "heartbeat_p99_ms";
}  // namespace figures

struct workload : workload_base<params, result> {
  static constexpr std::string_view name = "cpuyield";

  static std::vector<case_def<params>> cases();
  // The question is a trade-off: how late the heartbeat gets served while the computation runs,
  // against how much the computation slows down for yielding. Sequential serves no heartbeat: its
  // computation is the floor of the slowdown.
  static merit::declaration merit() {
    using merit::quantity;
    return {.primary = {.of = quantity::metric,
                        .metric = std::string(figures::heartbeat_p99_ms),
                        .unit = "ms",
                        .title = "the heartbeat's p99 gap"},
            .costs = {{.of = quantity::metric,
                       .metric = std::string(figures::slowdown),
                       .unit = "×",
                       .title = "the computation's slowdown"}},
            .item = "step",
            .floor = "sequential",
            .absent_why = "runs no heartbeat: nothing else waits to be served"};
  }
  static std::string describe_diff(const result& expected, const result& actual);
  static result reference(const params& p);
  static double ideal_seconds(const params& p, models::in_flight limit);
  static double items(const params& p) { return static_cast<double>(p.iterations); }
  static concur::metrics metrics(const result& r) {
    concur::metrics m{{"compute_ms", r.compute_ms}, {std::string(figures::slowdown), r.slowdown}};
    if (r.ticks > 0) {
      m.emplace_back("heartbeat_worst_ms", r.worst_gap_ms);
      m.emplace_back(figures::heartbeat_p99_ms, r.p99_gap_ms);
      m.emplace_back("heartbeat_ticks", static_cast<double>(r.ticks));
    }
    return m;
  }

  // One per model, each an explicit specialization in the model's own file (threads.cpp, ...).
  template <models::model M>
  static result run(M, const params&, const models::config&);
};

}  // namespace concur::cpuyield
