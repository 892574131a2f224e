#include "bench/runner.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdio>
#include <optional>

#include "bench/slowdown.hpp"
#include "core/cpu_time.hpp"
#include "core/stopwatch.hpp"
#include "core/vocabulary.hpp"
#include "models/processes.hpp"

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

// What the JSON says of a cell that was not timed: its kind, then the reason or diff.
std::string skip_message(const verdict& v) {
  return vocabulary::skip_message(v.kind, v.detail);
}

void set_counter(benchmark::State& state, std::string_view name, benchmark::Counter value) {
  state.counters[std::string(name)] = value;
}

// The label and the rung's size go with a skipped run too: a rung no model could run (over a
// limit) is still named on its ladder.
void label(benchmark::State& state, const cell& c, const verdict& v) {
  state.SetLabel(
      vocabulary::make_label({.oracle = v.oracle,
                              .settings = c.settings,
                              .external = c.external,
                              .ladder = c.ladder ? c.ladder->axis : "",
                              .rung = c.ladder ? std::optional(c.ladder->size) : std::nullopt,
                              .counterpart = c.counterpart})
          .c_str());
  if (c.ladder) set_counter(state, counters::ladder_size, c.ladder->size);
}

// The untimed step before a run (e.g. dropping the page cache): neither timed nor charged, so its
// wall and CPU time go to `untimed_wall` and `untimed_cpu`.
void prepare(benchmark::State& state, const cell& c, double& untimed_wall, double& untimed_cpu) {
  state.PauseTiming();
  const double cpu_before = cpu_seconds();
  const stopwatch prepared;
  c.prepare();
  untimed_wall += prepared.seconds();
  untimed_cpu += cpu_seconds() - cpu_before;
  state.ResumeTiming();
}

// The peak-RSS growth of the timed runs: this process's, plus, where the runs forked worker
// processes (the processes model), the largest run's sum of the workers' own, which this
// process's mark never sees. None when either could not be measured.
std::optional<std::int64_t> peak_rss_growth(const peak_rss_probe& memory) {
  const auto own = memory.growth();
  const auto workers = processes::workers_memory_since_reset();
  if (!workers.ran) return own;
  if (!own || !workers.peak_growth) return std::nullopt;
  return *own + *workers.peak_growth;
}

}  // namespace

const verdict& runner::verify(const cell& c) {
  auto it = verdicts_.find(c.name());
  if (it != verdicts_.end()) return it->second;
  std::fprintf(stderr, "verify %-45s ", c.name().c_str());
  std::fflush(stderr);
  // Its time too (the oracle's, when this cell computes it first): where a long first round goes.
  const stopwatch took;
  verdict v = c.verify();
  if (v.kind == verdict_kind::fail) ++failed_;
  const std::string outcome =
      v.kind == verdict_kind::pass
          ? fmt::format("{} (against {}) in {:.2f} s", to_string(v.kind), v.oracle, took.seconds())
          : skip_message(v);
  std::fprintf(stderr, "%s\n", outcome.c_str());
  return verdicts_.emplace(c.name(), std::move(v)).first->second;
}

void runner::time(benchmark::State& state, const cell& c, double slowdown, bool warm_up) {
  const bool verified_before = verdicts_.contains(c.name());
  const verdict& v = verify(c);
  label(state, c, v);
  if (v.kind != verdict_kind::pass) return state.SkipWithError(skip_message(v).c_str());
  // Untimed, before the timed loop and the memory probe: the first run of a cell pays for cold
  // code, a fresh allocator arena and first-touched caches, which no later run does. A
  // verification made just now, in the cell's place in the round, was that run already.
  if (warm_up && verified_before) try {
      if (c.prepare) c.prepare();
      c.run();
    } catch (const std::exception& e) {
      return skip(state, verdict_of(e));
    }
  const peak_rss_probe memory;
  processes::reset_workers_memory();
  measured m;
  run_iterations(state, c, slowdown, m);
  if (state.error_occurred()) return;
  // The timed runs are verified too: a model that is right once and wrong later fails.
  if (const verdict timed = c.check(m.last); timed.kind != verdict_kind::pass) {
    ++failed_;
    return state.SkipWithError(skip_message(timed).c_str());
  }
  record(state, c, m, memory);
}

void runner::run_iterations(benchmark::State& state, const cell& c, double slowdown, measured& m) {
  const double cpu_start = cpu_seconds();
  const stopwatch wall_clock;
  double untimed_wall = 0, untimed_cpu = 0;
  cell::self_time self_timed{0, 0};
  for (auto _ : state) {
    try {
      if (c.prepare) prepare(state, c, untimed_wall, untimed_cpu);
      // Only the slowdown hook needs the run's own time: no clock read in the loop otherwise.
      std::optional<stopwatch> hooked_run;
      if (slowdown != 1 && !c.self_timed) hooked_run.emplace();
      m.last = c.run();
      if (c.self_timed) {
        // A program that times itself (wrk): its own time is scaled by the hook instead.
        const auto t = c.self_timed(m.last);
        state.SetIterationTime(t.seconds * slowdown);
        self_timed.seconds += t.seconds * slowdown;
        self_timed.cpu_seconds += t.cpu_seconds;
      } else if (slowdown != 1) {
        spin_for((slowdown - 1) * hooked_run->seconds());
      }
    } catch (const std::exception& e) {
      skip(state, verdict_of(e));
      return;
    }
  }
  m.wall = c.self_timed ? self_timed.seconds : wall_clock.seconds() - untimed_wall;
  m.cpu = c.self_timed ? self_timed.cpu_seconds : cpu_seconds() - cpu_start - untimed_cpu;
}

void runner::record(benchmark::State& state, const cell& c, const measured& m,
                    const peak_rss_probe& memory) {
  for (const auto& [key, value] : c.metrics(m.last)) state.counters[key] = value;
  const auto iterations = static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(iterations * c.items));
  set_counter(state, counters::ideal_s, c.ideal_seconds);
  set_counter(state, counters::efficiency, c.ideal_seconds * iterations / m.wall);
  set_counter(state, counters::process_cpu_s,
              benchmark::Counter(m.cpu, benchmark::Counter::kAvgIterations));
  set_counter(state, counters::cpu_util, m.cpu / m.wall);
  if (const auto growth = c.external ? std::nullopt : peak_rss_growth(memory)) {
    set_counter(state, counters::peak_rss_growth,
                benchmark::Counter(static_cast<double>(*growth), benchmark::Counter::kDefaults,
                                   benchmark::Counter::kIs1024));
    set_counter(state, counters::bytes_per_item, static_cast<double>(*growth) / c.items);
  }
}

void runner::skip(benchmark::State& state, const verdict& v) {
  if (v.kind == verdict_kind::fail) ++failed_;
  state.SkipWithError(skip_message(v).c_str());
}

}  // namespace concur::bench
