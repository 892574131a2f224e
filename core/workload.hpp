#pragma once
// The contract between a workload and the harness (see DESIGN.md, "The contract").
//
// A workload W is a struct deriving from workload_base<params, result> (which names
// W::params_type and W::result_type; the result has operator==, work parity included), with
//   W::name
//   W::cases()                      -> std::vector<case_def<params_type>>
//   W::describe_diff(expected, got) -> std::string, a line per difference
//   W::ideal_seconds(params, in_flight), W::items(params)
//   W::in_flight(Model{}, config)   -> in_flight          optional: the tasks the model keeps in
//                                      flight here, where it is not the model's own bound
//   W::merit()                      -> merit::declaration: what answers its question, and
//                                      the costs beside it (core/merit.hpp)
//   W::run(Model{}, params, config) -> result_type       for each model it implements
//   W::unsupported(Model{})         -> std::string_view  for each model it cannot do, with why
//   W::reference(params)            -> result_type        optional: an oracle that needs no run
//   W::audit(params, result)        -> std::string        optional, with W::audit_source(params):
//                                      checks the sequential result (every model's oracle)
//                                      against a source that shares no code with the models;
//                                      empty when it agrees, else what differs. A case whose
//                                      audit_source is empty has none (its oracle is as without);
//                                      an audited case's oracle is never W::reference
//   W::metrics(result)              -> concur::metrics    optional: measured figures a result
//                                      carries beside its answer (latencies, high-water marks);
//                                      reported as benchmark counters, never compared
//   W::baselines(params)            -> std::vector<baseline>  optional, with
//   W::baseline_records(result)     -> std::size_t        external programs (find, fd, wrk) timed
//                                      beside the models on the same case: counted ones are
//                                      checked by the records they print against the oracle's
//                                      count, listed ones (wget) by the records themselves against
//                                      W::baseline_listing(result), self-timed ones (wrk) by their
//                                      own error counts
// Scripts that print a whole answer (the course's Python) are attached above the workloads, by
// the matrix, from the case's params; they are verified like a model.
#include <any>
#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "core/merit.hpp"

namespace concur {

// test: small cases the tests verify; bench: the default run; sweep: the larger rungs of the
// size ladders, run with --sweep.
enum class case_kind { test, bench, sweep };

// Where a case sits on its workload's size ladder: the axis (what grows, e.g. "tasks" or "URLs at
// C = 64") and the size on it. Cases on one axis are the rungs of one ladder, which the report
// fits (cost against size) and plots on log-log axes; a case without it is categorical.
struct ladder_point {
  std::string axis;
  double size = 0;
};

template <class Params>
struct case_def {
  std::string name;
  case_kind kind;
  Params params;
  // Why this case cannot run here (e.g. the page cache may not be dropped); when set, every cell
  // of the case is reported skipped with this reason.
  std::string unavailable;
  // Untimed, before each run of a model (e.g. dropping the page cache for a cold-cache case).
  std::function<void()> prepare;
  // Model settings for this case in place of the run's (e.g. 16 I/O threads).
  std::optional<concur::config> config;
  // Set when the case is a rung of a size ladder.
  std::optional<ladder_point> ladder;
};

// Named figures a run measured (e.g. {"heartbeat_p99_ms", 1.2}); not part of the answer.
using metrics = std::vector<std::pair<std::string, double>>;

// The OS refused a resource the model needs (a thread, a descriptor): a measured limit, not a bug.
class resource_exhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The environment cannot hold a case's fixture (TMPDIR missing, a read-only /tmp, a full disk):
// the cell is skipped with this reason, for it says nothing about the model.
class fixture_unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One run of a self-timed baseline: a load generator (wrk) runs for a fixed time and reports its
// own rate, so its time is what W::items(params) take at that rate.
struct baseline_run {
  double seconds = 0;
  double cpu_seconds = 0;  // its CPU for those items, at the CPU per item it measured
  metrics measured;        // e.g. client_cpu_us_per_req, named as the models' counters are
  std::string problem;  // why the run does not count (socket errors, non-2xx); empty when it does
};

// One run of a script baseline (a program that prints its whole answer): that answer, and its
// own account of the work, timed inside the script after the interpreter's start-up.
struct script_run {
  std::any result;                        // the W::result_type it answered
  double seconds = 0;                     // its own wall time for the work
  double cpu_seconds = 0;                 // its own CPU over the same span, every thread
  std::optional<double> peak_rss_growth;  // bytes; none when the kernel's mark was not reset
  double process_seconds = 0;  // its interpreter's start-up and imports, and the run's round trip
  long interpreter_pid = 0;    // the kept interpreter that ran it (one per script and thread)
  metrics measured;            // what it measured beside its answer (high_water, ...)
};

// An external program timed beside the models: its cell's "model" is its name. Commands are made
// at first use (a case's fixture may not exist before), so they are functions. A baseline is
// counted (timed_argv and count_argv), self-timed, or a script.
struct baseline {
  std::string name;         // "find", "fdfind", "wrk", "py-threads"
  std::string unavailable;  // why it cannot run here (not installed); empty when it can
  std::function<std::vector<std::string>()> timed_argv;  // run with stdout and stderr to /dev/null
  std::function<std::vector<std::string>()> count_argv;  // run once, untimed; its records counted
  char record_separator = '\n';
  std::size_t extra_records = 0;  // records it prints beyond W::baseline_records (e.g. the roots)
  // Set for a program checked by what it lists rather than by a count: the records its last
  // timed run left (wget's URLs, from the log it writes), sorted, compared as a set with
  // W::baseline_listing(oracle). Such a program has no count_argv.
  std::function<std::vector<std::string>()> listing = {};
  // Exit statuses of a timed run that still count (find: 1 is "finished, with errors on the way";
  // wget: 8 is "some link was broken").
  std::vector<int> ok_statuses = {0, 1};
  std::function<baseline_run()> self_timed;  // set for a self-timed baseline
  // How it runs, for the report; "<vocabulary::external_program>: NAME" when empty.
  std::string settings = {};
  // Set for a script that prints its whole answer: runs it with the case's model settings,
  // killed after `timeout_s`. It is verified like a model, and timed by its own account.
  std::function<script_run(const config&, double timeout_s)> script = {};
  // A script's C++ counterpart (a model's name): its ideal time is that model's.
  std::string counterpart = {};
  // A script's own cost per item, measured here: added to the ideal time when the budget
  // decides whether the cell runs (100,000 Python threads take about 25 s to start).
  double seconds_per_item = 0;
};

// What every workload states first: the parameters of its cases and the result it answers.
template <class Params, class Result>
struct workload_base {
  using params_type = Params;
  using result_type = Result;
};

template <class W, class M>
concept runs_in = requires(const typename W::params_type& p, const config& c) {
  { W::run(M{}, p, c) } -> std::same_as<typename W::result_type>;
};

template <class W, class M>
concept declines = requires {
  { W::unsupported(M{}) } -> std::convertible_to<std::string_view>;
};

// The tasks model M keeps in flight in workload W, which its ideal time is made of: the model's
// own bound, unless W states one for M (W::in_flight(M{}, config)). A processes worker runs a loop
// with no bound, but a job that blocks holds its worker: where every task blocks, the workers are
// the bound.
template <class W, class M>
in_flight in_flight_of(const config& c) {
  if constexpr (requires {
                  { W::in_flight(M{}, c) } -> std::same_as<in_flight>;
                })
    return W::in_flight(M{}, c);
  else
    return M::max_in_flight(c);
}

// Every workload declares its figures of merit (core/merit.hpp): the report ranks on them.
template <class W>
concept has_merit = requires {
  { W::merit() } -> std::same_as<merit::declaration>;
};

// A workload whose runs compute rather than wait declares a longer minimum run (seconds) for a
// case: a run then repeats a short cell until it lasts that long, its figures the mean, as its
// single runs vary by 5-15 % on a shared VM where waits vary by 1 % (0: the run's minimum).
template <class W>
concept has_min_run_time = requires(const typename W::params_type& p) {
  { W::min_run_seconds(p) } -> std::convertible_to<double>;
};

template <class W>
concept has_metrics = requires(const typename W::result_type& r) {
  { W::metrics(r) } -> std::same_as<metrics>;
};

template <class W>
concept has_reference = requires(const typename W::params_type& p) {
  { W::reference(p) } -> std::same_as<typename W::result_type>;
};

template <class W>
concept has_audit = requires(const typename W::params_type& p, const typename W::result_type& r) {
  { W::audit(p, r) } -> std::same_as<std::string>;
  { W::audit_source(p) } -> std::convertible_to<std::string>;
};

template <class W>
concept has_baselines = requires(const typename W::params_type& p,
                                 const typename W::result_type& r) {
  { W::baselines(p) } -> std::same_as<std::vector<baseline>>;
  { W::baseline_records(r) } -> std::convertible_to<std::size_t>;
};

template <class W>
concept has_baseline_listing = requires(const typename W::result_type& r) {
  { W::baseline_listing(r) } -> std::same_as<std::vector<std::string>>;
};

}  // namespace concur
