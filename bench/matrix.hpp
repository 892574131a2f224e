#pragma once
// The matrix: every workload x model x case as a cell that can be verified against the oracle
// and run for timing. Built from the one model list and the one workload list.
#include <any>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/vocabulary.hpp"
#include "core/workload.hpp"
#include "models/models.hpp"

namespace concur::bench {

using vocabulary::to_string;
using vocabulary::verdict_kind;

struct verdict {
  verdict_kind kind;
  std::string detail;  // the diff for fail, the reason otherwise (without the kind)
  std::string oracle;  // what the result was checked against: "sequential", "reference", or ""
};

enum class python_cells { none, first_case, all };

struct options {
  // A cell whose ideal time exceeds this is skipped, with the reason. 3 s keeps the default run
  // near 10 minutes: above it are only the sequential and small-pool cells of the sleep and
  // latency cases (a run of sleep/sequential/n100_d100ms alone is 10 s, 60 s over six rounds).
  double budget_seconds = 3.0;
  // Which of the course's Python cells run (the others skipped with the reason). Their work is
  // a Python program's (~35 s a round over every case): the default run times each workload's
  // first bench case that has them, --python every case, --no-python none.
  python_cells python = python_cells::all;
  models::config config = models::config::defaults();
  // The kinds of case whose cells are made. A case's ideal time can take a simulation or a whole
  // site's link graph to compute (the sweep's largest rungs most), so a caller that wants only
  // some kinds (the tests: their small cases) does not pay for the others.
  std::vector<case_kind> kinds = {case_kind::test, case_kind::bench, case_kind::sweep};
};

struct cell {
  std::string workload, model, case_name;
  case_kind kind;
  std::string settings;     // the model's settings, reported beside every result
  bool external = false;    // an external program (a baseline): its memory is not ours to probe
  std::string counterpart;  // a course's Python cell: the model it is set beside (in its label)
  std::string unsupported;  // why the model cannot do this workload; empty when it can
  double ideal_seconds;     // what the model could reach at best (e.g. the delay for sleep)
  double items;             // tasks, entries, requests: what items/s counts
  std::optional<ladder_point> ladder;  // the case's rung on its size ladder, if any
  // The workload's own minimum run time (has_min_run_time), 0 for the run's; 0 too for a case
  // with an untimed step, which would repeat with every iteration (a cache drop).
  double min_run_s = 0;

  // Runs the cell once and compares its result with the oracle (skips over-budget cells).
  std::function<verdict()> verify;
  // Runs the cell once; the result is kept opaque so the timed loop stays free of comparisons.
  std::function<std::any()> run;
  // Compares a result `run` returned with the oracle.
  std::function<verdict(const std::any&)> check;
  // The figures a result measured beside its answer (empty for most workloads).
  std::function<concur::metrics(const std::any&)> metrics;
  // Untimed, before each run (empty for most cases): e.g. dropping the page cache.
  std::function<void()> prepare;
  // Set for a program that times itself (wrk): the time and CPU a result `run` returned stands
  // for (the cell's items at the rate it measured).
  struct self_time {
    double seconds, cpu_seconds;
  };
  std::function<self_time(const std::any&)> self_timed;
  // Why this cell is not run at all (unsupported or over budget); empty when it runs.
  std::string skip_reason;

  std::string name() const { return workload + "/" + model + "/" + case_name; }
  // "unsupported: <reason>" or "skipped: <reason>"; empty when the cell runs.
  std::string skip_message() const {
    if (skip_reason.empty()) return "";
    return vocabulary::skip_message(
        unsupported.empty() ? verdict_kind::skipped : verdict_kind::unsupported, skip_reason);
  }
};

std::vector<cell> make_cells(const options& opts);

// Every workload's figures of merit, by its name, in the workloads' order.
std::vector<std::pair<std::string, merit::declaration>> merit_declarations();

// What an exception out of a cell's run comes to: the OS refusing a resource is a measured limit
// (refused), an environment that cannot hold the fixture is skipped (it says nothing of the
// model), anything else is the model's failure.
verdict verdict_of(const std::exception& e);

// A cell's verification, the one for every kind of cell: the skip reason when there is one, else
// the preparation (verified in the conditions it is timed in: a cold cache) and `attempt` (the run
// and its check); what either throws comes to verdict_of.
std::function<verdict()> verifier(std::string skip_reason, std::function<void()> prepare,
                                  std::function<verdict()> attempt);

}  // namespace concur::bench
