#include "bench/driver.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

#include "bench/context.hpp"
#include "bench/reporter.hpp"
#include "core/stopwatch.hpp"

namespace concur::bench {
namespace {

// Registers one cell for this round. Its first call warms it: its verification, or one untimed
// run when it was verified before (runner::time), in its place in the round's order. In its first
// round Google Benchmark finds the iterations that reach the minimum run time (a probe of one,
// then enough); after it, the cell runs the fewest that do at the time it measured
// (rounds::iterations_for), with no probe.
void register_cell(runner& r, cell& c, rounds::progress& p, double slowdown,
                   const rounds::settings& s) {
  auto* b = benchmark::RegisterBenchmark(
      c.name().c_str(), [&r, &c, &p, slowdown](benchmark::State& state) {
        const stopwatch watch;
        r.time(state, c, slowdown, !std::exchange(p.warmed, true));
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
  // Google Benchmark's --benchmark_min_time is the run's; a cell of its own (longer) minimum says
  // so, which also puts it in the cell's name for its first round.
  if (p.iterations > 0)
    b->Iterations(p.iterations);
  else if (const double t = rounds::min_run_time(s, c.min_run_s); t != s.min_time_s)
    b->MinTime(t);
}

class rounds_driver {
 public:
  rounds_driver(runner& r, const timing_options& opts);

  double share_s() const { return share_s_; }

  // Runs rounds until the rule stops them.
  void run();

  // The context known only at the end, then the last write of the file.
  void finish(const key_values& late_context);

 private:
  void run_round(std::size_t round);
  void absorb(std::size_t round);
  void stop(std::size_t i, std::string_view why);
  void finish_rounds(std::size_t round, std::string_view why, double elapsed);
  std::size_t active_cells() const;
  std::size_t active_cells(bool disturbing) const;  // of one phase
  double next_round_s() const;
  void print_progress(std::size_t round, double elapsed) const;
  void write_file() const;
  std::string cell_stops() const;
  std::string spent_by_workload() const;

  runner& runner_;
  const timing_options& opts_;
  machine::noise_floor_loop floor_;
  std::vector<double> floor_runs_;  // the noise floor's seconds, one per round
  std::vector<rounds::progress> progress_;
  std::vector<rounds::slot> slots_;
  cell_display cell_display_;  // before reporter_, which refers to it
  std::optional<round_reporter> reporter_;
  std::size_t timed_cells_ = 0;
  double share_s_ = 0;
  std::size_t rounds_done_ = 0;
  double timing_s_ = 0;
  std::string_view stopped_by_;
  bool cold_phase_ = false;      // the page-cache droppers' rounds (rounds::order)
  std::size_t phase_start_ = 0;  // the phase's first round
};

rounds_driver::rounds_driver(runner& r, const timing_options& opts)
    : runner_(r), opts_(opts), progress_(r.cells().size()) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < r.cells().size(); ++i) {
    const cell& c = r.cells()[i];
    index.emplace(c.name(), i);
    slots_.push_back({.disturbs = static_cast<bool>(c.prepare), .active = true});
    // Verified in the first round, in its place: the cells that will run, for the budget's share.
    if (c.skip_reason.empty()) ++timed_cells_;
  }
  reporter_.emplace(
      opts.benchmark_display ? *benchmark::CreateDefaultDisplayReporter() : cell_display_,
      std::move(index));
  share_s_ = rounds::cell_share_s(opts.settings, timed_cells_);
}

void rounds_driver::run() {
  const stopwatch watch;
  cold_phase_ = active_cells(false) == 0;
  for (std::size_t round = 0;; ++round) {
    const double elapsed = watch.seconds();
    if (round > 0) {
      const auto why = rounds::stop_rounds(opts_.settings, round - phase_start_,
                                           active_cells(cold_phase_), elapsed, next_round_s());
      if (!why.empty()) {
        if (cold_phase_ || active_cells(true) == 0) return finish_rounds(round, why, elapsed);
        // The warm cells are done: the page-cache droppers' rounds begin.
        for (std::size_t i = 0; i < slots_.size(); ++i)
          if (slots_[i].active && !slots_[i].disturbs) stop(i, why);
        cold_phase_ = true;
        phase_start_ = round;
        std::fprintf(stderr,
                     "concur-bench: the cells that drop the page cache, in rounds of their own\n");
      }
    }
    print_progress(round, elapsed);
    run_round(round);
    absorb(round);
    if (!opts_.out_path.empty()) write_file();
  }
}

void rounds_driver::finish(const key_values& late_context) {
  add_context(late_context);
  add_context(vocabulary::context::noise_floor_loop, floor_.describe());
  add_context(vocabulary::context::noise_floor_runs_s,
              fmt::format("{:.6f}", fmt::join(floor_runs_, ";")));
  add_end_context({.rounds_done = rounds_done_,
                   .stopped_by = stopped_by_,
                   .timing_s = timing_s_,
                   .cell_stops = cell_stops(),
                   .spent_by_workload = spent_by_workload()});
  if (!opts_.out_path.empty()) write_file();
  reporter_->finish();
}

void rounds_driver::run_round(std::size_t round) {
  benchmark::ClearRegisteredBenchmarks();
  for (const std::size_t i : rounds::order(opts_.settings.seed, round, slots_, cold_phase_)) {
    cell& c = runner_.cells()[i];
    register_cell(runner_, c, progress_[i], opts_.hook.factor_for(c.model), opts_.settings);
  }
  reporter_->start_round(round);
  floor_runs_.push_back(floor_.run());
  // Our own selection is registered; "." runs all of it.
  benchmark::RunSpecifiedBenchmarks(&*reporter_, ".");
  rounds_done_ = round + 1;
}

// This round's runs: each timed cell's time, then whether it has had enough.
void rounds_driver::absorb(std::size_t round) {
  for (const auto& run : reporter_->runs()) {
    if (run.repetition_index != static_cast<std::int64_t>(round)) continue;
    const auto i = static_cast<std::size_t>(run.family_index);
    rounds::progress& p = progress_[i];
    if (run.error_occurred) {
      stop(i, vocabulary::rounds_stop::not_timed);
      continue;
    }
    const double per_iteration = run.real_accumulated_time / static_cast<double>(run.iterations);
    if (p.iterations == 0)
      p.iterations = rounds::iterations_for(
          rounds::min_run_time(opts_.settings, runner_.cells()[i].min_run_s), per_iteration);
    p.times.push_back(per_iteration);
    if (const auto why = rounds::enough(p, opts_.settings, share_s_); !why.empty()) stop(i, why);
  }
}

void rounds_driver::stop(std::size_t i, std::string_view why) {
  progress_[i].active = slots_[i].active = false;
  progress_[i].stopped = why;
}

void rounds_driver::finish_rounds(std::size_t round, std::string_view why, double elapsed) {
  timing_s_ = elapsed;
  stopped_by_ = why;
  for (std::size_t i = 0; i < progress_.size(); ++i)
    if (progress_[i].active) stop(i, why);
  std::fprintf(stderr, "concur-bench: %zu rounds in %.0f s, stopped by: %.*s\n", round, timing_s_,
               static_cast<int>(why.size()), why.data());
  std::fprintf(stderr, "concur-bench: seconds spent by workload: %s\n",
               spent_by_workload().c_str());
  if (timing_s_ > opts_.settings.time_budget_s)
    std::fprintf(stderr,
                 "concur-bench: note: the rounds took %.0f s, over the %.0f s time budget (the "
                 "budget does not cut the first --min-rounds=%zu rounds)\n",
                 timing_s_, opts_.settings.time_budget_s, opts_.settings.min_rounds);
}

std::size_t rounds_driver::active_cells() const {
  return active_cells(false) + active_cells(true);
}

std::size_t rounds_driver::active_cells(bool disturbing) const {
  std::size_t n = 0;
  for (const auto& s : slots_) n += s.active && s.disturbs == disturbing ? 1 : 0;
  return n;
}

double rounds_driver::next_round_s() const {
  double total = 0;
  for (const auto& p : progress_)
    if (p.active) total += p.last_call_s;
  return total;
}

void rounds_driver::print_progress(std::size_t round, double elapsed) const {
  const double left = opts_.settings.time_budget_s - elapsed;
  // Round 1 also reports the cells that are not timed (skipped, unsupported, failed).
  std::fprintf(stderr,
               "concur-bench: round %zu (repetition_index %zu): %zu cells, %.1f s elapsed, "
               "%.1f s of the %.0f s budget left\n",
               round + 1, round, active_cells(), elapsed, left, opts_.settings.time_budget_s);
}

// The file is rewritten after every round: a failed write ends the run (exit 1) at once rather
// than after the whole of it.
void rounds_driver::write_file() const {
  errno = 0;
  if (!reporter_->write_json(opts_.out_path))
    throw std::runtime_error(fmt::format("cannot write --benchmark_out={}: {}", opts_.out_path,
                                         errno != 0 ? std::strerror(errno) : "a write failed"));
}

std::string rounds_driver::cell_stops() const {
  std::map<std::string_view, int> count;
  for (const auto& p : progress_) ++count[p.stopped];
  std::string out;
  for (const auto& [why, n] : count) out += fmt::format("{}{} {}", out.empty() ? "" : "; ", why, n);
  return out;
}

// In the order the cells were made (the workloads' order), so the line reads as --list does.
std::string rounds_driver::spent_by_workload() const {
  std::vector<std::pair<std::string_view, double>> spent;
  for (std::size_t i = 0; i < progress_.size(); ++i) {
    const std::string_view w = runner_.cells()[i].workload;
    if (spent.empty() || spent.back().first != w) spent.emplace_back(w, 0.0);
    spent.back().second += progress_[i].spent_s;
  }
  std::string out;
  for (const auto& [w, s] : spent) out += fmt::format("{}{} {:.1f}", out.empty() ? "" : "; ", w, s);
  return out;
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

}  // namespace

void warn_if_loaded(const machine::snapshot& start) {
  const double limit = machine::thresholds{}.load_per_core * start.cores;
  if (!start.load1 || *start.load1 <= limit) return;
  std::fprintf(stderr,
               "concur-bench: note: load average %.2f on %d cores (above %.2f): something ran in "
               "the last minute (a build?); the other processes' CPU during the run is measured, "
               "and the end of the run says whether the machine was busy\n",
               *start.load1, start.cores, limit);
}

int time_cells(runner& r, const timing_options& opts, const options& matrix_opts,
               const machine::snapshot& start) {
  // Each cell is verified in its place in the first round, just before its first timed run: the
  // verification is its warm-up, and no other cell runs between them.
  rounds_driver driver(r, opts);
  add_start_context(opts, driver.share_s(), r.cells(), matrix_opts);
  std::fprintf(stderr, "concur-bench: seed %llu (replay the order with --seed=%llu)\n",
               static_cast<unsigned long long>(opts.settings.seed),
               static_cast<unsigned long long>(opts.settings.seed));
  driver.run();
  const auto noise = machine::between(start, machine::take(), getpid());
  driver.finish(machine::to_key_values(noise));
  warn_if_busy(noise);
  return r.any_failed() ? 1 : 0;
}

}  // namespace concur::bench
