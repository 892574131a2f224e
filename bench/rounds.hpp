#pragma once
// Interleaved rounds: the order of the cells in a round, and when a cell,
// or the whole run, has had enough. The rounds come in two phases: every cell that leaves the
// machine as it found it, then the cells that drop the page cache.
//
// Each round times every still-active cell once, in an order drawn from (seed, round), so slow
// drift of the machine falls on every cell alike instead of on whichever ran last; the runs of one
// case in one round can be paired. A cell stays active for at least min_rounds rounds, then until
// its median's confidence interval is within target_ci of the median (stats::precise_enough), or
// its share of the time budget is spent, or max_rounds. Beyond the first min_rounds, no round
// starts that would overrun the time budget: the minimum is a floor, the budget bounds the rounds
// the data asks for beyond it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace concur::bench::rounds {

struct settings {
  // Six is the fewest runs whose median has a distribution-free 95 % interval ([min, max] covers
  // 1 - 2 / 2^6 = 96.9 %); with five, every interval in the report would fall short of it.
  std::size_t min_rounds = 6;
  std::size_t max_rounds = 50;
  double target_ci = 0.02;  // the median's CI half-width, as a fraction of the median
  // For all the rounds together (verification not included). The default run's six rounds take
  // ~450 s on the quiet 2-core VM this was tuned on (~75 s a round: connections' C10k cells alone
  // take ~10 s); the rest buys rounds for the cells that are not yet precise.
  double time_budget_s = 480;
  // Google Benchmark's --benchmark_min_time, per timed run: short, as the rounds, not long runs,
  // are what averages out the machine's drift.
  double min_time_s = 0.1;
  // --min-run-time was given: min_time_s for every cell, the workloads' own minimums included.
  bool min_time_given = false;
  std::uint64_t seed = 0;
};

// The presets: the default, --quick (one round: a smoke test) and --thorough.
enum class preset { standard, quick, thorough };
settings preset_settings(preset p);
std::string_view to_string(preset p);

// What the order needs to know of a cell.
struct slot {
  bool disturbs = false;  // it disturbs the machine (drops the page cache): runs after the others
  bool active = true;
};

// The order of a round: the active cells of its phase (those that disturb the machine, or those
// that do not) in a random order. The cells that drop the page cache have rounds of their own,
// after every other cell has had all of its: a drop evicts what every warm cell's next run relies
// on (a tree's inodes, a site's pages, the code), and whichever ran first after it paid for the
// re-reads. Every cell's place comes from one shuffle of all the cells (Fisher-Yates on
// std::mt19937_64, both fully specified, so the order is the same on any standard library), so the
// order of two cells does not depend on which others are still active: --seed replays it.
std::vector<std::size_t> order(std::uint64_t seed, std::size_t round,
                               const std::vector<slot>& cells, bool disturbing_phase);

// One cell's timing so far.
struct progress {
  std::vector<double> times;    // seconds per iteration, one per round the cell was timed in
  double spent_s = 0;           // wall time of all its calls: ramp-up and untimed steps included
  double last_call_s = 0;       // its last call: what its next round should cost
  std::int64_t iterations = 0;  // of its runs after the first round (iterations_for)
  bool warmed = false;          // it has had its untimed warm-up run
  bool active = true;
  std::string_view stopped;  // why it is no longer active (vocabulary::rounds_stop)
};

// A cell's minimum run time: --min-run-time when given, else the longer of the preset's and the
// cell's own (cell_min_s, its workload's: cell::min_run_s).
double min_run_time(const settings& s, double cell_min_s);

// The iterations of a cell's runs after its first round: the fewest whose total reaches
// min_time_s at the per-iteration time its first round measured, at least one. Google Benchmark's
// own choice aims 1.4 times past the minimum (its margin against a bad estimate from one probe
// iteration); a whole round's mean is a good estimate, and the margin would cost every later round
// of every short cell 40 % more time for no precision the rounds do not already give.
std::int64_t iterations_for(double min_time_s, double per_iteration_s);

// A cell's time share: the budget split evenly between the cells that are timed.
double cell_share_s(const settings& s, std::size_t timed_cells);

// After a round in which the cell was timed: why it has had enough, or empty to go on.
std::string_view enough(const progress& cell, const settings& s, double share_s);

// Before round `round` (> 0) of a phase (counted from the phase's first): why the phase's rounds
// stop here, or empty to go on. next_round_s is what the active cells' last calls took together.
// The budget stops no round below min_rounds, in either phase.
std::string_view stop_rounds(const settings& s, std::size_t round, std::size_t active_cells,
                             double elapsed_s, double next_round_s);

// The rule in words, for the JSON context.
std::string rule_text(const settings& s);

// A seed from the clock, for a run without --seed.
std::uint64_t seed_from_clock();

}  // namespace concur::bench::rounds
