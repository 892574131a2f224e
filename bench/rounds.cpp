#include "bench/rounds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "core/names.hpp"
#include "core/vocabulary.hpp"
#include "report/stats.hpp"

namespace concur::bench::rounds {
namespace {

namespace stop = vocabulary::rounds_stop;

// splitmix64's finalizer: neighbouring seeds and rounds give unrelated generator states.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e37'79b9'7f4a'7c15;
  x = (x ^ (x >> 30)) * 0xbf58'476d'1ce4'e5b9;
  x = (x ^ (x >> 27)) * 0x94d0'49bb'1331'11eb;
  return x ^ (x >> 31);
}

// Fisher-Yates with a plain modulo: its bias (below 2^-50 for any cell count here) does not matter,
// and unlike std::shuffle it gives the same order on every standard library.
std::vector<std::size_t> shuffled(std::size_t n, std::mt19937_64& rng) {
  std::vector<std::size_t> out(n);
  std::iota(out.begin(), out.end(), std::size_t{0});
  for (std::size_t i = n; i > 1; --i) std::swap(out[i - 1], out[rng() % i]);
  return out;
}

}  // namespace

settings preset_settings(preset p) {
  settings s;
  if (p == preset::quick) {
    s.min_rounds = s.max_rounds = 1;
  } else if (p == preset::thorough) {
    s.min_rounds = 10;
    s.max_rounds = 100;
    s.target_ci = 0.01;
    s.time_budget_s *= 3;
    s.min_time_s = 0.5;
  }
  return s;
}

constexpr name_entry<preset> preset_names[] = {
    {preset::standard, "default"}, {preset::quick, "quick"}, {preset::thorough, "thorough"}};

std::string_view to_string(preset p) {
  return name_in(preset_names, p);
}

std::vector<std::size_t> order(std::uint64_t seed, std::size_t round,
                               const std::vector<slot>& cells, bool disturbing_phase) {
  std::mt19937_64 rng(mix(seed ^ mix(round)));
  std::vector<std::size_t> out;
  for (const std::size_t i : shuffled(cells.size(), rng))
    if (cells[i].active && cells[i].disturbs == disturbing_phase) out.push_back(i);
  return out;
}

double min_run_time(const settings& s, double cell_min_s) {
  return s.min_time_given ? s.min_time_s : std::max(s.min_time_s, cell_min_s);
}

std::int64_t iterations_for(double min_time_s, double per_iteration_s) {
  if (!(per_iteration_s > 0) || per_iteration_s >= min_time_s) return 1;
  // Less one part in a million: 0.5 s at 0.1 s an iteration is five, not six for a rounding error.
  return static_cast<std::int64_t>(std::ceil(min_time_s / per_iteration_s * (1 - 1e-6)));
}

double cell_share_s(const settings& s, std::size_t timed_cells) {
  return timed_cells == 0 ? s.time_budget_s : s.time_budget_s / static_cast<double>(timed_cells);
}

std::string_view enough(const progress& cell, const settings& s, double share_s) {
  const std::size_t runs = cell.times.size();
  if (runs >= s.max_rounds) return stop::max_rounds;
  if (runs < s.min_rounds) return {};
  if (stats::precise_enough(cell.times, s.target_ci, s.min_rounds)) return stop::precise;
  if (cell.spent_s + cell.last_call_s > share_s) return stop::share_spent;
  return {};
}

std::string_view stop_rounds(const settings& s, std::size_t round, std::size_t active_cells,
                             double elapsed_s, double next_round_s) {
  if (round >= s.max_rounds) return stop::max_rounds;
  if (active_cells == 0) return stop::every_cell_done;
  // The minimum rounds are a floor: the budget governs the rounds beyond them.
  if (round >= s.min_rounds && elapsed_s + next_round_s > s.time_budget_s) return stop::time_budget;
  return {};
}

std::string rule_text(const settings& s) {
  return fmt::format(
      "interleaved rounds in a seeded random order (the cells that drop the page cache in "
      "rounds of their own, after all the others'); each cell at "
      "least {} rounds, then until the median's 95 % CI half-width is within {:g} % of the "
      "median (order statistics), or its share of the time budget (budget / timed cells) is "
      "spent, or {} rounds; beyond the first {} rounds of each phase, no round starts that would "
      "overrun the {:g} s time budget",
      s.min_rounds, s.target_ci * 100, s.max_rounds, s.min_rounds, s.time_budget_s);
}

std::uint64_t seed_from_clock() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  // Kept below 2^53 so that it survives any JSON reader that turns numbers into doubles.
  return mix(static_cast<std::uint64_t>(now.count())) >> 11;
}

}  // namespace concur::bench::rounds
