#include "bench/context.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "bench/allocator.hpp"
#include "core/machine.hpp"
#include "core/vocabulary.hpp"
#include "models/models.hpp"

namespace concur::bench {
namespace {

namespace keys = vocabulary::context;

void add_rounds_context(const timing_options& o, double share_s) {
  const auto& s = o.settings;
  add_context(keys::rounds_seed, std::to_string(s.seed));
  add_context(keys::rounds_preset, std::string(rounds::to_string(o.preset)));
  add_context(keys::rounds_rule, rounds::rule_text(s));
  add_context(keys::rounds_min, std::to_string(s.min_rounds));
  add_context(keys::rounds_max, std::to_string(s.max_rounds));
  add_context(keys::rounds_target_ci, fmt::format("{:g}", s.target_ci));
  add_context(keys::rounds_time_budget_s, fmt::format("{:g}", s.time_budget_s));
  add_context(keys::rounds_cell_share_s, fmt::format("{:.3f}", share_s));
  add_context(keys::rounds_min_time_s, fmt::format("{:g}", s.min_time_s));
  add_context(keys::warm_up,
              "each cell verified in its place in the first round's order, just before its first "
              "timed run: the verification (a run of the cell and the check of its answer, "
              "untimed) is its warm-up");
  add_context(keys::test_slowdown, o.hook.text());
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
  for (const auto& [kind, key] : {std::pair{case_kind::test, keys::test_cases},
                                  std::pair{case_kind::sweep, keys::sweep_cases}})
    if (!names[kind].empty()) add_context(key, fmt::format("{}", fmt::join(names[kind], ",")));
}

// The workloads whose runs are longer than the run's minimum (their own, has_min_run_time).
void add_min_time_context(const rounds::settings& s, const std::vector<cell>& cells) {
  std::map<std::string, double> longer;  // by workload
  for (const auto& c : cells)
    if (const double t = rounds::min_run_time(s, c.min_run_s); t > s.min_time_s)
      longer[c.workload] = std::max(longer[c.workload], t);
  std::vector<std::string> parts;
  for (const auto& [workload, t] : longer) parts.push_back(fmt::format("{} {:g} s", workload, t));
  if (!parts.empty())
    add_context(keys::rounds_min_time_longer,
                fmt::format("{} (their runs compute; a case that waits on latency or has an "
                            "untimed step keeps the run's minimum)",
                            fmt::join(parts, ", ")));
}

}  // namespace

void add_context(std::string_view key, const std::string& value) {
  benchmark::AddCustomContext(std::string(key), value);
}

void add_context(const key_values& pairs) {
  for (const auto& [key, value] : pairs) add_context(key, value);
}

void add_start_context(const timing_options& opts, double share_s, const std::vector<cell>& cells,
                       const options& matrix_opts) {
  add_context(describe_environment(matrix_opts.config, matrix_opts.budget_seconds));
  add_rounds_context(opts, share_s);
  add_min_time_context(opts.settings, cells);
  add_case_kinds_context(cells);
  // The report's column order and colours: it knows the models only from the file.
  add_context(keys::model_order, fmt::format("{}", fmt::join(models::names(), ",")));
  // What each workload ranks the models on: the report knows no workload either.
  for (const auto& [workload, declared] : merit_declarations())
    add_context(std::string(keys::merit_prefix) + workload, merit::to_text(declared));
  const auto malloc_from = allocator::in_use();
  add_context(keys::allocator, malloc_from.name);
  add_context(keys::allocator_library, malloc_from.library);
  add_context(machine::to_key_values(machine::read_facts()));
  add_context(machine::to_key_values(machine::calibrate()));
}

void add_end_context(const rounds_outcome& outcome) {
  add_context(keys::rounds_done, std::to_string(outcome.rounds_done));
  add_context(keys::rounds_stopped_by, std::string(outcome.stopped_by));
  add_context(keys::rounds_timing_s, fmt::format("{:.1f}", outcome.timing_s));
  add_context(keys::rounds_cell_stops, outcome.cell_stops);
  add_context(keys::rounds_spent_by_workload_s, outcome.spent_by_workload);
}

}  // namespace concur::bench
