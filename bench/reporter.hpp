#pragma once
// One Google Benchmark report over many RunSpecifiedBenchmarks calls: concur-bench makes one call
// per round (the round's cells registered in the round's order), and Google Benchmark reports
// each call as a whole (context, runs, finalize).
//
// Given as the display reporter of every call, round_reporter:
// - passes the display (the console, or whatever --benchmark_format chose) the context of the
//   first call only, every run, and Finalize once, in finish();
// - stamps each run: repetition_index = its round (the report pairs the cells of a case by it),
//   family_index = the cell's place in the matrix (stable across rounds, so Google Benchmark's
//   compare.py sorts the runs of a cell together), and the name of its first round (a fixed
//   Iterations(n) in later rounds would add "/iterations:n");
// - keeps every run, and writes the file itself (write_json): Google Benchmark's own file
//   reporter would be reopened, and truncated, by every call. The file is rewritten whole after
//   each round (beside itself, then renamed over): the context, every run so far in the order
//   they ran, the closing; valid JSON whenever the run is interrupted. The context is written from
//   Google Benchmark's custom context at the time of writing, so the last write carries what is
//   known only at the end (the machine's noise over the whole run, the rounds done) in "context"
//   like every other key: the file stays plain Google Benchmark JSON that its tools (compare.py)
//   read.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace concur::bench {

class round_reporter final : public benchmark::BenchmarkReporter {
 public:
  // cells: the benchmark names as registered (workload/model/case), each with its index.
  round_reporter(benchmark::BenchmarkReporter& display, std::map<std::string, std::size_t> cells);

  void start_round(std::size_t round) { round_ = round; }

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override {}  // the end of one round's call, not of the report

  // Every run so far, stamped, in the order they ran.
  const std::vector<Run>& runs() const { return runs_; }

  // Writes the whole JSON file (a regular file by a rename, so that it is whole whenever the
  // run is killed); false with errno set when it cannot be written.
  bool write_json(const std::string& path) const;
  // The display's end of the report.
  void finish();

 private:
  benchmark::BenchmarkReporter& display_;
  std::map<std::string, std::size_t> cells_;
  std::map<std::size_t, benchmark::BenchmarkName> first_names_;
  std::vector<Run> runs_;
  std::size_t round_ = 0;
  bool context_shown_ = false;

  void write_json(std::ostream& out) const;
};

// concur-bench's console unless --benchmark_format is given: nothing per run while the rounds
// go on (stderr says which round it is), then one line per cell in the matrix's order: its name,
// the median time with its 95 % interval as a half-width in per cent of the median, the runs, and
// the verdict ("pass", or the skip message). Google Benchmark's rows, one per run, are all in the
// JSON file; --benchmark_format=console shows them here as they come.
class cell_display final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  struct cell {
    std::string name, verdict;
    std::vector<double> seconds;  // per iteration, one per round it was timed in
  };
  std::map<std::int64_t, cell> cells_;  // by family_index: the matrix's order
};

// What cell_display prints after a cell's name: "101 ms ± 0.3 %     5  pass". The ± is the
// median's 95 % interval (order statistics), its farther end from the median; with fewer than 6
// runs the interval is [min, max] and its actual coverage follows; a single run has none.
std::string cell_figures(const std::vector<double>& seconds, const std::string& verdict);

}  // namespace concur::bench
