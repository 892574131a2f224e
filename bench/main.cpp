// concur-bench: every cell of the matrix, verified against the oracle, then timed with Google
// Benchmark in interleaved rounds (bench/rounds.hpp): each round times every still-active cell
// once, in a seeded random order; a run's repetition_index is its round. Every standard
// --benchmark_* flag works, except --benchmark_repetitions (the rounds are the repetitions);
// --benchmark_out is written by concur-bench itself (bench/reporter.hpp) and is JSON only. The
// console shows a line per cell at the end (bench/reporter.hpp's cell_display), or Google
// Benchmark's row per run when --benchmark_format is given.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <regex>

#include "bench/allocator.hpp"
#include "bench/matrix.hpp"
#include "bench/reporter.hpp"
#include "bench/rounds.hpp"
#include "cli/options.hpp"
#include "cli/top_level.hpp"
#include "core/cleanup.hpp"
#include "core/cpu_time.hpp"
#include "core/environment.hpp"
#include "core/machine.hpp"
#include "core/memory.hpp"
#include "core/stopwatch.hpp"
#include "core/vocabulary.hpp"
#include "models/models.hpp"

namespace concur::bench {
namespace {

namespace counters = vocabulary::counters;
namespace context = vocabulary::context;

// This process's CPU, plus that of the children it has waited for: an external baseline (find,
// wrk) is charged for its own CPU.
double cpu_seconds() {
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  return cpu_time::of_process() + cpu_time::of_usage(children);
}

// Google Benchmark's filter semantics: a regex, or its negation with a leading '-', on the name it
// gives the cell (with its "/real_time" or "/manual_time"), so filters written for it still work.
class name_filter {
 public:
  // Throws cli::usage_error when the regex is not one.
  explicit name_filter(const std::string& filter) : text_(filter) {
    if (filter.empty() || filter == "all" || filter == ".") return;
    negated_ = filter[0] == '-';
    try {
      regex_.emplace(negated_ ? filter.substr(1) : filter);
    } catch (const std::regex_error& e) {
      throw concur::cli::usage_error(fmt::format(
          "--benchmark_filter: \"{}\" is not a regular expression ({})", filter, e.what()));
    }
  }
  bool matches(const cell& c) const {
    if (!regex_) return true;
    const std::string name = c.name() + (c.self_timed ? "/manual_time" : "/real_time");
    return std::regex_search(name, *regex_) != negated_;
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  bool negated_ = false;
  std::optional<std::regex> regex_;
};

// What the JSON says of a cell that was not timed: its kind, then the reason or diff.
std::string skip_message(const verdict& v) {
  return vocabulary::skip_message(v.kind, v.detail);
}

void set_counter(benchmark::State& state, std::string_view name, benchmark::Counter value) {
  state.counters[std::string(name)] = value;
}

void add_context(std::string_view key, const std::string& value) {
  benchmark::AddCustomContext(std::string(key), value);
}

void add_context(const key_values& pairs) {
  for (const auto& [key, value] : pairs) add_context(key, value);
}

// ---- The slowdown test hook ----

// CONCUR_TEST_SLOWDOWN=MODEL:FACTOR, a TEST HOOK: every cell of MODEL is made FACTOR times slower
// inside its timed region, so that a comparison of two runs can be checked to resolve a known
// slowdown on that model and on no other. Never set it for real measurements; the JSON context
// says when it was set (test_slowdown), and concur-bench says so on stderr.
struct slowdown {
  std::string model;
  double factor = 1;

  bool active() const { return factor != 1; }
  double factor_for(const std::string& m) const { return m == model ? factor : 1.0; }
  std::string text() const {
    return active() ? fmt::format("{}:{:g}", model, factor)
                    : std::string(context::test_slowdown_off);
  }
};

// nullopt when the variable is set but malformed.
std::optional<slowdown> read_slowdown() {
  const char* text = std::getenv("CONCUR_TEST_SLOWDOWN");
  if (!text || !*text) return slowdown{};
  const std::string value(text);
  const auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  char* end = nullptr;
  const double factor = std::strtod(value.c_str() + colon + 1, &end);
  if (end == value.c_str() + colon + 1 || *end != '\0' || !(factor >= 1) || factor > 100)
    return std::nullopt;
  return slowdown{value.substr(0, colon), factor};
}

// Burns CPU on the calling thread: the slowdown hook's extra time looks like slower code (a sleep
// would look like waiting, and free the core for the model's other threads).
void spin_for(double seconds) {
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(seconds));
  while (std::chrono::steady_clock::now() < until) {
  }
}

// ---- Verifying and timing one cell ----

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

  // One timed run of a cell (Google Benchmark's iterations of it). slowdown: the test hook's
  // factor for this cell, 1 when off.
  void time(benchmark::State& state, const cell& c, double slowdown) {
    const verdict& v = verify(c);
    // The label and the rung's size go with a skipped run too: a rung no model could run (over a
    // limit) is still named on its ladder.
    state.SetLabel(
        vocabulary::make_label({.oracle = v.oracle,
                                .settings = c.settings,
                                .external = c.external,
                                .ladder = c.ladder ? c.ladder->axis : "",
                                .rung = c.ladder ? std::optional(c.ladder->size) : std::nullopt,
                                .counterpart = c.counterpart})
            .c_str());
    if (c.ladder) set_counter(state, counters::ladder_size, c.ladder->size);
    if (v.kind != verdict_kind::pass) {
      state.SkipWithError(skip_message(v).c_str());
      return;
    }
    const peak_rss_probe memory;
    const double cpu_start = cpu_seconds();
    const stopwatch wall_clock;
    double untimed_wall = 0, untimed_cpu = 0;
    cell::self_time self_timed{0, 0};
    std::any last;
    for (auto _ : state) {
      try {
        if (c.prepare) {  // e.g. dropping the page cache: neither timed nor charged
          state.PauseTiming();
          const double cpu_before = cpu_seconds();
          const stopwatch prepared;
          c.prepare();
          untimed_wall += prepared.seconds();
          untimed_cpu += cpu_seconds() - cpu_before;
          state.ResumeTiming();
        }
        // Only the slowdown hook needs the run's own time: no clock read in the loop otherwise.
        std::optional<stopwatch> hooked_run;
        if (slowdown != 1 && !c.self_timed) hooked_run.emplace();
        last = c.run();
        if (c.self_timed) {
          // A program that times itself (wrk): its own time is scaled by the hook instead.
          const auto t = c.self_timed(last);
          state.SetIterationTime(t.seconds * slowdown);
          self_timed.seconds += t.seconds * slowdown;
          self_timed.cpu_seconds += t.cpu_seconds;
        } else if (slowdown != 1) {
          spin_for((slowdown - 1) * hooked_run->seconds());
        }
      } catch (const std::exception& e) {
        const verdict v = verdict_of(e);
        if (v.kind == verdict_kind::fail) ++failed_;
        state.SkipWithError(skip_message(v).c_str());
        break;
      }
    }
    if (state.error_occurred()) return;
    const double elapsed = wall_clock.seconds() - untimed_wall;
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

// ---- The rounds ----

struct timing_options {
  rounds::settings settings;
  rounds::preset preset = rounds::preset::standard;
  slowdown hook;
  std::string out_path;  // --benchmark_out; empty: no file
  // --benchmark_format was given: Google Benchmark's display (a row per run) instead of ours (a
  // line per cell at the end).
  bool benchmark_display = false;
};

// Registers one cell for this round. After its first round a cell keeps the iteration count
// Google Benchmark chose then, which skips the ramp-up (runs of 1, 10, ... iterations).
void register_cell(runner& r, cell& c, rounds::progress& p, double slowdown) {
  auto* b = benchmark::RegisterBenchmark(c.name().c_str(),
                                         [&r, &c, &p, slowdown](benchmark::State& state) {
                                           const stopwatch watch;
                                           r.time(state, c, slowdown);
                                           p.last_call_s = watch.seconds();
                                           p.spent_s += p.last_call_s;
                                         });
  b->Unit(benchmark::kMillisecond);
  // A program that times itself (wrk runs for a fixed duration) runs once per round.
  if (c.self_timed) {
    b->UseManualTime()->Iterations(1);
    return;
  }
  b->UseRealTime();
  if (p.iterations > 0) b->Iterations(p.iterations);
}

class rounds_driver {
 public:
  rounds_driver(runner& r, const timing_options& opts)
      : runner_(r), opts_(opts), progress_(r.cells().size()) {
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < r.cells().size(); ++i) {
      const cell& c = r.cells()[i];
      index.emplace(c.name(), i);
      slots_.push_back({.disturbs = static_cast<bool>(c.prepare), .active = true});
      if (r.verify(c).kind == verdict_kind::pass) ++timed_cells_;
    }
    reporter_.emplace(
        opts.benchmark_display ? *benchmark::CreateDefaultDisplayReporter() : cell_display_,
        std::move(index));
    share_s_ = rounds::cell_share_s(opts.settings, timed_cells_);
  }

  double share_s() const { return share_s_; }

  // Runs rounds until the rule stops them.
  void run() {
    const stopwatch watch;
    for (std::size_t round = 0;; ++round) {
      const double elapsed = watch.seconds();
      if (round > 0) {
        const auto stop =
            rounds::stop_rounds(opts_.settings, round, active_cells(), elapsed, next_round_s());
        if (!stop.empty()) return finish_rounds(round, stop, elapsed);
      }
      print_progress(round, elapsed);
      run_round(round);
      absorb(round);
      if (!opts_.out_path.empty()) write_file();
    }
  }

  // The context known only at the end, then the last write of the file.
  void finish(const key_values& late_context) {
    add_context(late_context);
    add_context(context::rounds_done, std::to_string(rounds_done_));
    add_context(context::rounds_stopped_by, std::string(stopped_by_));
    add_context(context::rounds_timing_s, fmt::format("{:.1f}", timing_s_));
    add_context(context::rounds_cell_stops, cell_stops());
    if (!opts_.out_path.empty()) write_file();
    reporter_->finish();
  }

 private:
  void run_round(std::size_t round) {
    benchmark::ClearRegisteredBenchmarks();
    for (const std::size_t i : rounds::order(opts_.settings.seed, round, slots_)) {
      const cell& c = runner_.cells()[i];
      register_cell(runner_, runner_.cells()[i], progress_[i], opts_.hook.factor_for(c.model));
    }
    reporter_->start_round(round);
    // Our own selection is registered; "." runs all of it.
    benchmark::RunSpecifiedBenchmarks(&*reporter_, ".");
    rounds_done_ = round + 1;
  }

  // This round's runs: each timed cell's time, then whether it has had enough.
  void absorb(std::size_t round) {
    for (const auto& run : reporter_->runs()) {
      if (run.repetition_index != static_cast<std::int64_t>(round)) continue;
      const auto i = static_cast<std::size_t>(run.family_index);
      rounds::progress& p = progress_[i];
      if (run.error_occurred) {
        stop(i, vocabulary::rounds_stop::not_timed);
        continue;
      }
      if (p.iterations == 0) p.iterations = run.iterations;
      p.times.push_back(run.real_accumulated_time / static_cast<double>(run.iterations));
      if (const auto why = rounds::enough(p, opts_.settings, share_s_); !why.empty()) stop(i, why);
    }
  }

  void stop(std::size_t i, std::string_view why) {
    progress_[i].active = slots_[i].active = false;
    progress_[i].stopped = why;
  }

  void finish_rounds(std::size_t round, std::string_view why, double elapsed) {
    timing_s_ = elapsed;
    stopped_by_ = why;
    for (std::size_t i = 0; i < progress_.size(); ++i)
      if (progress_[i].active) stop(i, why);
    std::fprintf(stderr, "concur-bench: %zu rounds in %.0f s, stopped by: %.*s\n", round, timing_s_,
                 static_cast<int>(why.size()), why.data());
    if (timing_s_ > opts_.settings.time_budget_s)
      std::fprintf(stderr,
                   "concur-bench: note: the rounds took %.0f s, over the %.0f s time budget (the "
                   "budget does not cut the first --min-rounds=%zu rounds)\n",
                   timing_s_, opts_.settings.time_budget_s, opts_.settings.min_rounds);
  }

  std::size_t active_cells() const {
    std::size_t n = 0;
    for (const auto& s : slots_) n += s.active ? 1 : 0;
    return n;
  }

  double next_round_s() const {
    double total = 0;
    for (const auto& p : progress_)
      if (p.active) total += p.last_call_s;
    return total;
  }

  void print_progress(std::size_t round, double elapsed) const {
    const double left = opts_.settings.time_budget_s - elapsed;
    // Round 1 also reports the cells that are not timed (skipped, unsupported, failed).
    std::fprintf(stderr,
                 "concur-bench: round %zu (repetition_index %zu): %zu cells, %.1f s elapsed, "
                 "%.1f s of the %.0f s budget left\n",
                 round + 1, round, active_cells(), elapsed, left, opts_.settings.time_budget_s);
  }

  // The file is rewritten after every round: a failed write ends the run (exit 1) at once
  // rather than after the whole of it.
  void write_file() const {
    errno = 0;
    if (!reporter_->write_json(opts_.out_path))
      throw std::runtime_error(fmt::format("cannot write --benchmark_out={}: {}", opts_.out_path,
                                           errno != 0 ? std::strerror(errno) : "a write failed"));
  }

  std::string cell_stops() const {
    std::map<std::string_view, int> count;
    for (const auto& p : progress_) ++count[p.stopped];
    std::string out;
    for (const auto& [why, n] : count)
      out += fmt::format("{}{} {}", out.empty() ? "" : "; ", why, n);
    return out;
  }

  runner& runner_;
  const timing_options& opts_;
  std::vector<rounds::progress> progress_;
  std::vector<rounds::slot> slots_;
  cell_display cell_display_;  // before reporter_, which refers to it
  std::optional<round_reporter> reporter_;
  std::size_t timed_cells_ = 0;
  double share_s_ = 0;
  std::size_t rounds_done_ = 0;
  double timing_s_ = 0;
  std::string_view stopped_by_;
};

// ---- The machine ----

void warn_if_loaded(const machine::snapshot& start) {
  const double limit = machine::thresholds{}.load_per_core * start.cores;
  if (!start.load1 || *start.load1 <= limit) return;
  std::fprintf(stderr,
               "concur-bench: note: load average %.2f on %d cores (above %.2f): something ran in "
               "the last minute (a build?); the other processes' CPU during the run is measured, "
               "and the end of the run says whether the machine was busy\n",
               *start.load1, start.cores, limit);
}

void warn_if_busy(const machine::noise& n) {
  if (!n.busy) return;
  std::string reasons;
  for (const auto& r : n.busy_reasons) reasons += fmt::format("\n  - {}", r);
  std::fprintf(stderr,
               "\nconcur-bench: WARNING: THE MACHINE WAS BUSY during this run; timings are "
               "noisy and differences between them may not be real:%s\n\n",
               reasons.c_str());
}

void add_rounds_context(const timing_options& o, double share_s) {
  const auto& s = o.settings;
  add_context(context::rounds_seed, std::to_string(s.seed));
  add_context(context::rounds_preset, std::string(rounds::to_string(o.preset)));
  add_context(context::rounds_rule, rounds::rule_text(s));
  add_context(context::rounds_min, std::to_string(s.min_rounds));
  add_context(context::rounds_max, std::to_string(s.max_rounds));
  add_context(context::rounds_target_ci, fmt::format("{:g}", s.target_ci));
  add_context(context::rounds_time_budget_s, fmt::format("{:g}", s.time_budget_s));
  add_context(context::rounds_cell_share_s, fmt::format("{:.3f}", share_s));
  add_context(context::rounds_min_time_s, fmt::format("{:g}", s.min_time_s));
  add_context(context::test_slowdown, o.hook.text());
}

// Which selected cases are test cases and which the sweep's rungs: the report's summary is of
// the others, the default run's.
void add_case_kinds_context(const std::vector<cell>& cells) {
  std::map<case_kind, std::vector<std::string>> names;
  for (const auto& c : cells) {
    auto& list = names[c.kind];
    const std::string name = c.workload + "/" + c.case_name;
    if (c.kind != case_kind::bench && std::find(list.begin(), list.end(), name) == list.end())
      list.push_back(name);
  }
  for (const auto& [kind, key] : {std::pair{case_kind::test, context::test_cases},
                                  std::pair{case_kind::sweep, context::sweep_cases}})
    if (!names[kind].empty()) add_context(key, fmt::format("{}", fmt::join(names[kind], ",")));
}

// Verification first (once per cell), calibration, then the rounds; the machine's state around
// all of it. Returns the exit status.
int time_cells(runner& r, const timing_options& opts, const options& matrix_opts,
               const machine::snapshot& start) {
  for (const auto& c : r.cells()) r.verify(c);
  rounds_driver driver(r, opts);
  add_context(describe_environment(matrix_opts.config, matrix_opts.budget_seconds));
  add_rounds_context(opts, driver.share_s());
  add_case_kinds_context(r.cells());
  add_context(context::model_order, fmt::format("{}", fmt::join(models::names(), ",")));
  const auto malloc_from = allocator::in_use();
  add_context(context::allocator, malloc_from.name);
  add_context(context::allocator_library, malloc_from.library);
  add_context(machine::to_key_values(machine::read_facts()));
  add_context(machine::to_key_values(machine::calibrate()));
  std::fprintf(stderr, "concur-bench: seed %llu (replay the order with --seed=%llu)\n",
               static_cast<unsigned long long>(opts.settings.seed),
               static_cast<unsigned long long>(opts.settings.seed));
  driver.run();
  const auto noise = machine::between(start, machine::take(), getpid());
  driver.finish(machine::to_key_values(noise));
  warn_if_busy(noise);
  return r.any_failed() ? 1 : 0;
}

}  // namespace
}  // namespace concur::bench

namespace {

using namespace concur;

constexpr const char* help_footer =
    "Cells are timed in interleaved rounds: each round runs every still-active cell once, in a "
    "random order drawn from --seed (cells that drop the page cache last); a run's "
    "repetition_index in the JSON is its round.\n\n"
    "TEST HOOK: CONCUR_TEST_SLOWDOWN=MODEL:FACTOR (e.g. coroutines:1.10) makes every cell of "
    "MODEL FACTOR times slower on purpose (a busy-wait inside the timed region after each run), "
    "to check that a comparison resolves a known slowdown. Never set it for real measurements; "
    "it is announced on stderr and recorded in the JSON context (test_slowdown).";

struct cli {
  bench::options matrix;
  bool list = false, verify_only = false, all_cases = false, sweep = false, quick = false,
       thorough = false;
  std::optional<std::size_t> min_rounds, max_rounds;
  std::optional<double> target_ci, time_budget, min_time;
  std::optional<std::uint64_t> seed;
  std::string out_path, out_format = "json";
  std::string allocator = "glibc";
  int repetitions = 1;
};

// What --sweep adds to the default --time-budget: about what its rungs' first six rounds take on
// a quiet 2-core machine (~175 s a round; the whole --sweep run took 31 min there).
constexpr double sweep_time_budget_s = 1050;

// The kinds of case a run includes: the benchmark cases, and the test cases and the sweep's
// larger rungs when asked for.
bool selected(const cli& o, case_kind kind) {
  switch (kind) {
    case case_kind::test:
      return o.all_cases;
    case case_kind::bench:
      return true;
    case case_kind::sweep:
      return o.sweep;
  }
  return false;
}

void add_options(CLI::App& app, cli& o) {
  app.add_flag("--list", o.list,
               "list the cells (workload/model/case) with their settings and skip reasons");
  app.add_flag("--verify-only", o.verify_only,
               "verify every selected cell against its oracle, time nothing");
  app.add_flag("--all-cases", o.all_cases,
               "include the small test cases beside the benchmark cases");
  app.add_flag(
      "--sweep", o.sweep,
      fmt::format("include the larger rungs of every workload's size ladder (the "
                  "growth of cost with the work); adds {:g} s to the default --time-budget",
                  sweep_time_budget_s));
  app.add_option("--allocator", o.allocator,
                 "the memory allocator: glibc's malloc, or jemalloc or mimalloc (Debian packages "
                 "libjemalloc2, libmimalloc2.0) loaded by re-executing with LD_PRELOAD")
      ->check(CLI::IsMember(bench::allocator::names()))
      ->capture_default_str();
  app.add_option("--budget", o.matrix.budget_seconds,
                 "skip cells whose ideal time exceeds this many seconds")
      ->check(concur::cli::number_in(1e-6, 86400, " s"))
      ->capture_default_str();
  app.add_option("--pool-threads", o.matrix.config.pool_threads, "executor model: pool size")
      ->check(concur::cli::whole_in(1u, concur::cli::max_model_threads))
      ->capture_default_str();
  app.add_option("--worker-threads", o.matrix.config.worker_threads,
                 "tbb model: arena size; threads model: dirsearch's walkers")
      ->check(concur::cli::whole_in(1u, concur::cli::max_model_threads))
      ->capture_default_str();
  const auto defaults = bench::rounds::preset_settings(bench::rounds::preset::standard);
  o.matrix.python = false;
  app.add_flag("--python", o.matrix.python,
               "run the course's Python cells too (py-*: about 5 more minutes by default)");
  auto* quick = app.add_flag("--quick", o.quick, "one round: a smoke test, no statistics");
  auto* thorough = app.add_flag("--thorough", o.thorough,
                                "at least 10 rounds, 1 % target, 3x the time budget, 0.5 s runs");
  quick->excludes(thorough);
  app.add_option("--seed", o.seed, "seed of the rounds' order (default: from the clock; printed)")
      ->check(concur::cli::whole_in<std::uint64_t>(0, std::numeric_limits<std::uint64_t>::max()));
  app.add_option("--min-rounds", o.min_rounds,
                 fmt::format("timed rounds every cell gets (default {})", defaults.min_rounds))
      ->check(concur::cli::whole_in<std::size_t>(1, 100'000));
  app.add_option("--max-rounds", o.max_rounds,
                 fmt::format("rounds a cell gets at most (default {})", defaults.max_rounds))
      ->check(concur::cli::whole_in<std::size_t>(1, 100'000));
  app.add_option("--target-ci", o.target_ci,
                 fmt::format("a cell is precise enough when its median's 95 % CI half-width is "
                             "within this fraction of the median (default {:g})",
                             defaults.target_ci))
      ->check(concur::cli::number_in(1e-6, 1.0));
  app.add_option("--time-budget", o.time_budget,
                 fmt::format("seconds for the rounds: beyond --min-rounds, no round starts that "
                             "would overrun it (default {:g})",
                             defaults.time_budget_s))
      ->check(concur::cli::number_in(1e-3, 7 * 86400.0, " s"));
  app.add_option("--benchmark_min_time", o.min_time,
                 fmt::format("seconds per timed run, passed to Google Benchmark (default {:g})",
                             defaults.min_time_s))
      ->check(concur::cli::number_in(1e-3, 3600, " s"));
  app.add_option("--benchmark_out", o.out_path, "write every round's runs to this JSON file");
  app.add_option("--benchmark_out_format", o.out_format, "json (the only format written)");
  app.add_option("--benchmark_repetitions", o.repetitions,
                 "not supported: the rounds are the repetitions (--min-rounds, --max-rounds)");
}

bench::rounds::preset preset_of(const cli& o) {
  using bench::rounds::preset;
  return o.quick ? preset::quick : o.thorough ? preset::thorough : preset::standard;
}

// The preset's settings, with the flags given on top.
bench::rounds::settings rounds_settings(const cli& o) {
  auto s = bench::rounds::preset_settings(preset_of(o));
  s.min_rounds = o.min_rounds.value_or(s.min_rounds);
  s.max_rounds = o.max_rounds.value_or(std::max(s.max_rounds, s.min_rounds));
  s.target_ci = o.target_ci.value_or(s.target_ci);
  // The sweep's rungs get time of their own, so that they leave the default cells' share as it was.
  s.time_budget_s = o.time_budget.value_or(s.time_budget_s + (o.sweep ? sweep_time_budget_s : 0));
  s.min_time_s = o.min_time.value_or(s.min_time_s);
  s.seed = o.seed.value_or(bench::rounds::seed_from_clock());
  return s;
}

// A usage error's message, or empty.
std::string usage_error(const cli& o, const bench::rounds::settings& s) {
  if (o.repetitions != 1)
    return "--benchmark_repetitions is not supported: cells are timed in interleaved rounds "
           "(--min-rounds, --max-rounds, --target-ci, --time-budget)";
  if (o.out_format != "json") return "--benchmark_out_format: only json is written";
  if (s.max_rounds < s.min_rounds) return "--max-rounds is below --min-rounds";
  return {};
}

void announce(const bench::slowdown& hook, const std::vector<bench::cell>& cells) {
  if (!hook.active()) return;
  std::fprintf(stderr,
               "concur-bench: TEST HOOK CONCUR_TEST_SLOWDOWN=%s is set: every %s cell is made "
               "%gx slower on purpose (a busy-wait in its timed region); recorded in the JSON "
               "context as %s\n",
               hook.text().c_str(), hook.model.c_str(), hook.factor,
               std::string(vocabulary::context::test_slowdown).c_str());
  const bool any = std::any_of(cells.begin(), cells.end(),
                               [&](const bench::cell& c) { return c.model == hook.model; });
  if (!any)
    std::fprintf(stderr, "concur-bench: no selected cell is of model %s\n", hook.model.c_str());
}

int run(int argc, char** argv) {
  // Before anything of ours runs: the machine as we found it.
  const machine::snapshot start = machine::take();
  CLI::App app{
      "concur-bench: every workload in every model, verified, then timed with Google Benchmark.\n"
      "Other --benchmark_* flags are passed to Google Benchmark."};
  app.footer(help_footer);
  cli o;
  add_options(app, o);
  app.allow_extras();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return concur::cli::parse_error(app, e, "concur-bench");
  }
  bench::allocator::use(o.allocator, argv);  // may re-execute this program

  bench::timing_options timing{
      .settings = rounds_settings(o), .preset = preset_of(o), .out_path = o.out_path};
  const auto hook = bench::read_slowdown();
  if (const std::string error = usage_error(o, timing.settings); !error.empty())
    throw concur::cli::usage_error(error);
  if (!hook)
    throw concur::cli::usage_error(
        "CONCUR_TEST_SLOWDOWN: expected MODEL:FACTOR with 1 <= FACTOR <= 100");
  timing.hook = *hook;

  // Google Benchmark gets the program name, the time per run, and whatever we did not take.
  std::vector<std::string> rest = app.remaining();
  timing.benchmark_display = std::any_of(rest.begin(), rest.end(), [](const std::string& arg) {
    return arg.starts_with("--benchmark_format");
  });
  rest.insert(rest.begin(), fmt::format("--benchmark_min_time={}", timing.settings.min_time_s));
  std::vector<char*> gb_argv{argv[0]};
  for (auto& arg : rest) gb_argv.push_back(arg.data());
  int gb_argc = static_cast<int>(gb_argv.size());
  benchmark::Initialize(&gb_argc, gb_argv.data());
  if (benchmark::ReportUnrecognizedArguments(gb_argc, gb_argv.data())) return 2;

  // A filter that selects nothing is a mistake, never an empty success ("verified").
  const bench::name_filter filter(benchmark::GetBenchmarkFilter());
  std::vector<bench::cell> cells;
  for (auto& c : bench::make_cells(o.matrix))
    if (selected(o, c.kind) && filter.matches(c)) cells.push_back(std::move(c));
  if (cells.empty())
    throw concur::cli::usage_error(fmt::format(
        "no cell matches --benchmark_filter=\"{}\"{} (--list shows them)", filter.text(),
        o.all_cases ? "" : " among the selected cases (--all-cases adds the test cases)"));
  bench::runner runner(std::move(cells));

  if (o.list) {
    for (const auto& c : runner.cells())
      fmt::print("{:<45} ideal {:>9.3f} s  {:<40} {}\n", c.name(), c.ideal_seconds, c.settings,
                 c.skip_message());
    return 0;
  }
  if (o.verify_only) {
    for (const auto& c : runner.cells()) runner.verify(c);
    return runner.any_failed() ? 1 : 0;
  }
  if (!timing.out_path.empty() && !std::ofstream(timing.out_path))
    throw std::runtime_error(
        fmt::format("cannot write --benchmark_out={}: {}", timing.out_path, std::strerror(errno)));
  announce(timing.hook, runner.cells());
  bench::warn_if_loaded(start);
  const int status = bench::time_cells(runner, timing, o.matrix, start);
  benchmark::Shutdown();
  if (runner.any_failed())
    std::fprintf(stderr, "concur-bench: some cells FAILED verification (see above)\n");
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  cleanup::install_signal_handlers();
  return concur::cli::run_main("concur-bench", [&] { return run(argc, argv); });
}
