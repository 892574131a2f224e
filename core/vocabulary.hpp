#pragma once
// The words concur-bench writes into Google Benchmark's JSON and `concur report` reads back:
// verdict kinds, skip messages, the label, counter names. Defined once here so the two sides
// cannot drift; the parsers also read the files older binaries wrote.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace concur::vocabulary {

// What a cell came to. `error` is the report's word for a skip message it cannot place (not
// written by concur-bench: Google Benchmark's own, or from elsewhere).
enum class verdict_kind { pass, fail, skipped, refused, unsupported, error };

std::string_view to_string(verdict_kind k);  // "pass", "FAIL", "skipped", ...
std::optional<verdict_kind> parse_verdict_kind(std::string_view text);

// A cell that was not timed says why in its skip message: "<kind>: <detail>", e.g.
// "skipped: ideal time 0.1 s exceeds the budget of 0.05 s (--budget)".
struct skip {
  verdict_kind kind;
  std::string detail;  // the reason, or the diff for fail
};
std::string skip_message(verdict_kind kind, std::string_view detail);
// A message without a known prefix is {error, the whole message}.
skip parse_skip_message(std::string_view message);

// The label of a cell: "oracle=<oracle>; settings=<settings>", with "ladder=<axis>; rung=<N>; "
// for a rung of a size ladder, "external=yes; " for an external program and "counterpart=<model>; "
// for a course's Python cell before settings (settings is free text, so it comes last). A timed run
// also has the size as the counter ladder_size; the label carries it for a skipped run, which
// Google Benchmark writes no counters for, so that a rung no model ran is still on its ladder.
struct label {
  std::string oracle;          // what the result was checked against
  std::string settings;        // the model's (or program's) settings
  bool external = false;       // an external program (find, fd, wrk) beside the models
  std::string ladder;          // the size ladder's axis ("tasks"); empty for a categorical case
  std::optional<double> rung;  // the rung's size on it (older labels: none)
  // A course's Python cell: the C++ model it is set beside (the report's ratios and colours);
  // empty for any other cell, and in older labels.
  std::string counterpart;
};
std::string make_label(const label& l);
// Also reads old labels, which marked an external program only by settings starting with
// `external_program`. Text that is no label at all gives an empty label.
label parse_label(std::string_view text);

// How an external program's settings begin ("external program: wrk ...").
inline constexpr std::string_view external_program = "external program";

// Counters concur-bench sets on every timed cell.
namespace counters {
inline constexpr std::string_view ideal_s = "ideal_s";
inline constexpr std::string_view efficiency = "efficiency";
inline constexpr std::string_view process_cpu_s = "process_cpu_s";
inline constexpr std::string_view cpu_util = "cpu_util";
inline constexpr std::string_view peak_rss_growth = "peak_rss_growth";
inline constexpr std::string_view bytes_per_item = "bytes_per_item";
inline constexpr std::string_view ladder_size = "ladder_size";  // a ladder rung's size
inline constexpr std::array harness = {ideal_s,         efficiency,     process_cpu_s, cpu_util,
                                       peak_rss_growth, bytes_per_item, ladder_size};

// A figure a workload measures beside its answer (a metric, not in `harness`) that the report
// compares between the models and the external programs.
inline constexpr std::string_view client_cpu_us_per_req = "client_cpu_us_per_req";
// An external program's whole peak resident set, in bytes (process::peak_rss_of): its libraries
// and start-up included, so not comparable with a model's peak_rss_growth, which counts only what
// the run added to a process already running.
inline constexpr std::string_view program_peak_rss = "program_peak_rss";
// A course's Python cell: what a fresh `python3 SCRIPT` process would take, the interpreter's
// start-up and imports (timed once, when its kept interpreter started) and the run's round trip;
// the cell's time is the script's own, around the work.
inline constexpr std::string_view python_process_s = "py_process_s";
}  // namespace counters

// Context keys concur-bench writes about the run and how it timed the cells. Cells
// are timed in interleaved rounds: a run's repetition_index is its round, so the runs of one case
// that share a repetition_index ran in the same round (pair them); a cell's count is its number of
// runs. The machine's keys (calibration, noise, facts) are in core/machine.hpp.
namespace context {
// Every model of the matrix (models::all), comma-separated, in its order, whichever ran: the
// report's colour of a model is its place here. Older files have none.
inline constexpr std::string_view model_order = "model_order";
inline constexpr std::string_view rounds_seed = "rounds_seed";      // --seed replays the order
inline constexpr std::string_view rounds_preset = "rounds_preset";  // default, quick, thorough
inline constexpr std::string_view rounds_rule = "rounds_rule";      // the stopping rule in words
inline constexpr std::string_view rounds_min = "rounds_min";
inline constexpr std::string_view rounds_max = "rounds_max";
inline constexpr std::string_view rounds_target_ci = "rounds_target_ci";  // fraction, e.g. 0.02
inline constexpr std::string_view rounds_time_budget_s = "rounds_time_budget_s";
inline constexpr std::string_view rounds_cell_share_s = "rounds_cell_share_s";
inline constexpr std::string_view rounds_min_time_s = "rounds_min_time_s";  // per timed run
// The workloads whose cells run longer than rounds_min_time_s, in words ("dirsearch 0.5 s, ..."):
// absent when none does.
inline constexpr std::string_view rounds_min_time_longer = "rounds_min_time_longer";
// How each cell was warmed before its first timed run, in words.
inline constexpr std::string_view warm_up = "warm_up";
// The noise floor: a fixed loop (described in noise_floor_loop) timed once per round, its
// seconds in round order, ";"-separated; its CV is how much the machine alone varies a run.
inline constexpr std::string_view noise_floor_loop = "noise_floor_loop";
inline constexpr std::string_view noise_floor_runs_s = "noise_floor_runs_s";
// Written when the rounds are over (final file only).
inline constexpr std::string_view rounds_done = "rounds_done";
inline constexpr std::string_view rounds_stopped_by = "rounds_stopped_by";
inline constexpr std::string_view rounds_timing_s = "rounds_timing_s";  // wall time of the rounds
// How many cells stopped for each reason: "precise 40; share spent 60; ..."
inline constexpr std::string_view rounds_cell_stops = "rounds_cell_stops";
// Where the run's time went: each workload's seconds over all of its cells' calls (verification,
// warm-up and ramp-up included), in the workloads' order: "sleep 31.2; dirsearch 80.4; ...".
inline constexpr std::string_view rounds_spent_by_workload_s = "rounds_spent_by_workload_s";

// A workload's figures of merit (merit::to_text), one key per workload: merit_prefix + its name.
inline constexpr std::string_view merit_prefix = "merit.";

// The cases of the run that are not of the default run, each "workload/case", comma-separated:
// the test cases (--all-cases) and the sweep's larger rungs (--sweep). The report's summary
// leaves them out: it answers for the default run's cases. Absent when none was selected.
inline constexpr std::string_view test_cases = "cases_test";
inline constexpr std::string_view sweep_cases = "cases_sweep";

// CONCUR_TEST_SLOWDOWN, the test hook: "none", or "MODEL:FACTOR" when a model was slowed down on
// purpose. A report or a comparison must say so.
inline constexpr std::string_view test_slowdown = "test_slowdown";
inline constexpr std::string_view test_slowdown_off = "none";

// What provided malloc (concur-bench --allocator): glibc, jemalloc, mimalloc, or other (a
// sanitizer's), and the object that defines it.
inline constexpr std::string_view allocator = "allocator";
inline constexpr std::string_view allocator_library = "allocator_library";
}  // namespace context

// The rule's stop reasons and how the rounds ended, as concur-bench writes them.
namespace rounds_stop {
inline constexpr std::string_view precise = "precise";          // CI within the target
inline constexpr std::string_view share_spent = "share spent";  // the cell's time share
inline constexpr std::string_view max_rounds = "max rounds";    // --max-rounds reached
inline constexpr std::string_view time_budget = "time budget";  // --time-budget spent
inline constexpr std::string_view not_timed = "not timed";      // skipped, failed, refused
inline constexpr std::string_view every_cell_done = "every cell done";
}  // namespace rounds_stop

// The keys Google Benchmark itself writes for a run; any other number is a counter.
inline constexpr std::array<std::string_view, 19> benchmark_keys = {"name",
                                                                    "family_index",
                                                                    "per_family_instance_index",
                                                                    "run_name",
                                                                    "run_type",
                                                                    "repetitions",
                                                                    "repetition_index",
                                                                    "threads",
                                                                    "iterations",
                                                                    "real_time",
                                                                    "cpu_time",
                                                                    "time_unit",
                                                                    "label",
                                                                    "items_per_second",
                                                                    "bytes_per_second",
                                                                    "error_occurred",
                                                                    "error_message",
                                                                    "aggregate_name",
                                                                    "aggregate_unit"};

// Neither a harness counter nor Google Benchmark's own: a workload's measured figure.
bool is_workload_metric(std::string_view key);

}  // namespace concur::vocabulary
