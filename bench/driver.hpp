#pragma once
// The rounds driver: verification first (once per cell), then interleaved rounds (bench/rounds.hpp)
// of Google Benchmark runs until the rule stops them, the JSON file rewritten after each; the
// machine's state around all of it.
#include <string>

#include "bench/matrix.hpp"
#include "bench/rounds.hpp"
#include "bench/runner.hpp"
#include "bench/slowdown.hpp"
#include "core/machine.hpp"

namespace concur::bench {

struct timing_options {
  rounds::settings settings;
  rounds::preset preset = rounds::preset::standard;
  slowdown hook;
  std::string out_path;  // --benchmark_out; empty: no file
  // --benchmark_format was given: Google Benchmark's display (a row per run) instead of ours (a
  // line per cell at the end).
  bool benchmark_display = false;
};

// A note on stderr when the machine was loaded before the run started.
void warn_if_loaded(const machine::snapshot& start);

// Verifies every cell, then times them in rounds. Returns the exit status (1 when a cell failed).
int time_cells(runner& r, const timing_options& opts, const options& matrix_opts,
               const machine::snapshot& start);

}  // namespace concur::bench
