#pragma once
// Verifying and timing one cell: its verdict once per process, then Google Benchmark's iterations
// of it, with the counters the report reads (vocabulary::counters).
#include <benchmark/benchmark.h>

#include <any>
#include <map>
#include <string>
#include <vector>

#include "bench/matrix.hpp"
#include "core/memory.hpp"

namespace concur::bench {

class runner {
 public:
  explicit runner(std::vector<cell> cells) : cells_(std::move(cells)) {}

  std::vector<cell>& cells() { return cells_; }
  bool any_failed() const { return failed_ > 0; }

  // Verifies a cell once per process, printing progress; later calls reuse the verdict.
  const verdict& verify(const cell& c);

  // One timed run of a cell (Google Benchmark's iterations of it), after an untimed one when
  // warm_up. slowdown: the test hook's factor for this cell, 1 when off.
  void time(benchmark::State& state, const cell& c, double slowdown, bool warm_up);

 private:
  // What the timed loop measured, besides Google Benchmark's own clock.
  struct measured {
    double wall = 0, cpu = 0;
    std::any last;  // the last run's result
  };
  // The timed loop; a run that throws skips the state with its verdict.
  void run_iterations(benchmark::State& state, const cell& c, double slowdown, measured& m);
  // The counters of a timed cell, its memory's growth last.
  void record(benchmark::State& state, const cell& c, const measured& m,
              const peak_rss_probe& memory);
  void skip(benchmark::State& state, const verdict& v);

  std::vector<cell> cells_;
  std::map<std::string, verdict> verdicts_;
  int failed_ = 0;
};

}  // namespace concur::bench
