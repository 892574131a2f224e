// concur-bench: every cell of the matrix, verified against the oracle, then timed with Google
// Benchmark. Every standard --benchmark_* flag works; --list, --verify-only and --budget are ours.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <time.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <regex>

#include "bench/matrix.hpp"
#include "core/cpu_time.hpp"
#include "core/environment.hpp"
#include "core/memory.hpp"
#include "core/vocabulary.hpp"

namespace concur::bench {
namespace {

namespace counters = vocabulary::counters;

// This process's CPU, plus that of the children it has waited for: an external baseline (find,
// wrk) is charged for its own CPU.
double cpu_seconds() {
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  return cpu_time::of_process() + cpu_time::of_usage(children);
}

// Google Benchmark's filter semantics: a regex, or its negation with a leading '-'.
bool matches_filter(const std::string& name, const std::string& filter) {
  if (filter.empty() || filter == "all" || filter == ".") return true;
  if (filter[0] == '-') return !std::regex_search(name, std::regex(filter.substr(1)));
  return std::regex_search(name, std::regex(filter));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// What the JSON says of a cell that was not timed: its kind, then the reason or diff.
std::string skip_message(const verdict& v) {
  return vocabulary::skip_message(v.kind, v.detail);
}

void set_counter(benchmark::State& state, std::string_view name, benchmark::Counter value) {
  state.counters[std::string(name)] = value;
}

class runner {
 public:
  explicit runner(std::vector<cell> cells) : cells_(std::move(cells)) {}

  std::vector<cell>& cells() { return cells_; }
  bool any_failed() const { return failed_ > 0; }

  // Verifies a cell once per process, printing progress; later calls reuse the verdict.
  const verdict& verify(const cell& c) {
    auto it = verdicts_.find(c.name());
    if (it != verdicts_.end()) return it->second;
    std::fprintf(stderr, "verify %-45s ", c.name().c_str());
    std::fflush(stderr);
    verdict v = c.verify();
    if (v.kind == verdict_kind::fail) ++failed_;
    const std::string outcome = v.kind == verdict_kind::pass
                                    ? fmt::format("{} (against {})", to_string(v.kind), v.oracle)
                                    : skip_message(v);
    std::fprintf(stderr, "%s\n", outcome.c_str());
    return verdicts_.emplace(c.name(), std::move(v)).first->second;
  }

  void time(benchmark::State& state, const cell& c) {
    const verdict& v = verify(c);
    if (v.kind != verdict_kind::pass) {
      state.SkipWithError(skip_message(v).c_str());
      return;
    }
    state.SetLabel(
        vocabulary::make_label({.oracle = v.oracle, .settings = c.settings, .external = c.external})
            .c_str());
    const peak_rss_probe memory;
    const double cpu_start = cpu_seconds();
    const auto wall_start = std::chrono::steady_clock::now();
    double untimed_wall = 0, untimed_cpu = 0;
    cell::self_time self_timed{0, 0};
    std::any last;
    for (auto _ : state) {
      try {
        if (c.prepare) {  // e.g. dropping the page cache: neither timed nor charged
          state.PauseTiming();
          const double cpu_before = cpu_seconds();
          const auto wall_before = std::chrono::steady_clock::now();
          c.prepare();
          untimed_wall += seconds_since(wall_before);
          untimed_cpu += cpu_seconds() - cpu_before;
          state.ResumeTiming();
        }
        last = c.run();
        if (c.self_timed) {
          const auto t = c.self_timed(last);
          state.SetIterationTime(t.seconds);
          self_timed.seconds += t.seconds;
          self_timed.cpu_seconds += t.cpu_seconds;
        }
      } catch (const resource_exhausted& e) {
        state.SkipWithError(skip_message({verdict_kind::refused, e.what(), ""}).c_str());
        break;
      } catch (const std::exception& e) {
        ++failed_;
        state.SkipWithError(
            skip_message({verdict_kind::fail, fmt::format("threw: {}", e.what()), ""}).c_str());
        break;
      }
    }
    if (state.error_occurred()) return;
    const double elapsed = seconds_since(wall_start) - untimed_wall;
    const double wall = c.self_timed ? self_timed.seconds : elapsed;
    const double cpu =
        c.self_timed ? self_timed.cpu_seconds : cpu_seconds() - cpu_start - untimed_cpu;
    // The timed runs are verified too: a model that is right once and wrong later fails.
    if (const verdict timed = c.check(last); timed.kind != verdict_kind::pass) {
      ++failed_;
      state.SkipWithError(skip_message(timed).c_str());
      return;
    }
    for (const auto& [key, value] : c.metrics(last)) state.counters[key] = value;
    const auto iterations = static_cast<double>(state.iterations());
    state.SetItemsProcessed(static_cast<std::int64_t>(iterations * c.items));
    set_counter(state, counters::ideal_s, c.ideal_seconds);
    set_counter(state, counters::efficiency, c.ideal_seconds * iterations / wall);
    set_counter(state, counters::process_cpu_s,
                benchmark::Counter(cpu, benchmark::Counter::kAvgIterations));
    set_counter(state, counters::cpu_util, cpu / wall);
    if (const auto growth = c.external ? std::nullopt : memory.growth()) {
      set_counter(state, counters::peak_rss_growth,
                  benchmark::Counter(static_cast<double>(*growth), benchmark::Counter::kDefaults,
                                     benchmark::Counter::kIs1024));
      set_counter(state, counters::bytes_per_item, static_cast<double>(*growth) / c.items);
    }
  }

 private:
  std::vector<cell> cells_;
  std::map<std::string, verdict> verdicts_;
  int failed_ = 0;
};

}  // namespace
}  // namespace concur::bench

int main(int argc, char** argv) {
  using namespace concur;
  CLI::App app{
      "concur-bench: every workload in every model, verified, then timed with Google Benchmark.\n"
      "All --benchmark_* flags are passed to Google Benchmark."};
  bench::options opts;
  bool list = false, verify_only = false, all_cases = false;
  app.add_flag("--list", list,
               "list the cells (workload/model/case) with their settings and skip reasons");
  app.add_flag("--verify-only", verify_only,
               "verify every selected cell against its oracle, time nothing");
  app.add_flag("--all-cases", all_cases, "include the small test cases beside the benchmark cases");
  app.add_option("--budget", opts.budget_seconds,
                 "skip cells whose ideal time exceeds this many seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--pool-threads", opts.config.pool_threads, "executor model: pool size")
      ->check(CLI::Range(1u, 4096u))
      ->capture_default_str();
  app.add_option("--worker-threads", opts.config.worker_threads,
                 "tbb model: arena size; threads model: dirsearch's walkers")
      ->check(CLI::Range(1u, 4096u))
      ->capture_default_str();
  app.allow_extras();
  CLI11_PARSE(app, argc, argv);

  // Google Benchmark gets the program name and whatever we did not take.
  std::vector<std::string> rest = app.remaining();
  std::vector<char*> gb_argv{argv[0]};
  for (auto& arg : rest) gb_argv.push_back(arg.data());
  int gb_argc = static_cast<int>(gb_argv.size());
  benchmark::Initialize(&gb_argc, gb_argv.data());
  if (benchmark::ReportUnrecognizedArguments(gb_argc, gb_argv.data())) return 2;

  std::vector<bench::cell> cells;
  for (auto& c : bench::make_cells(opts))
    if (all_cases || c.kind == case_kind::bench) cells.push_back(std::move(c));
  bench::runner runner(std::move(cells));
  const std::string filter = benchmark::GetBenchmarkFilter();

  if (list) {
    for (const auto& c : runner.cells()) {
      if (!bench::matches_filter(c.name(), filter)) continue;
      fmt::print("{:<45} ideal {:>9.3f} s  {:<40} {}\n", c.name(), c.ideal_seconds, c.settings,
                 c.skip_message());
    }
    return 0;
  }
  if (verify_only) {
    for (const auto& c : runner.cells())
      if (bench::matches_filter(c.name(), filter)) runner.verify(c);
    return runner.any_failed() ? 1 : 0;
  }

  for (const auto& [key, value] : describe_environment(opts.config, opts.budget_seconds))
    benchmark::AddCustomContext(key, value);
  for (auto& c : runner.cells()) {
    auto* b = benchmark::RegisterBenchmark(
        c.name().c_str(), [&runner, &c](benchmark::State& state) { runner.time(state, c); });
    b->Unit(benchmark::kMillisecond);
    // A program that times itself (wrk runs for a fixed duration) runs once per repetition.
    if (c.self_timed)
      b->UseManualTime()->Iterations(1);
    else
      b->UseRealTime();
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (runner.any_failed()) {
    std::fprintf(stderr, "concur-bench: some cells FAILED verification (see above)\n");
    return 1;
  }
  return 0;
}
