#pragma once
// A workload's figures of merit: what answers the question it asks (the time of a wait, the
// loop's worst gap while blocking calls run, the CPU a connection costs), and the costs set beside
// that answer. Each workload declares them in its header (W::merit()); concur-bench writes them
// into the run's context and `concur report` ranks the models on them, knowing no workload.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace concur::merit {

// What a figure is taken from, per timed run of a cell.
enum class quantity {
  wall_time,    // the run's wall time (s)
  cpu_time,     // the process's CPU over the run (s)
  peak_memory,  // the peak RSS growth over the run (bytes)
  metric,       // a figure the workload measured (a counter of its own)
};

// Every figure is ranked lower-is-better: all the workloads' questions are costs or delays.
struct figure {
  quantity of = quantity::wall_time;
  bool per_item = false;    // divided by the case's items (W::items): per task, per connection
  std::string metric = {};  // for quantity::metric: the counter's name
  std::string unit = {};    // for quantity::metric: its unit as the counter holds it ("ms", "×")
  std::string title = {};   // how the report names it: "the loop's worst gap"

  bool operator==(const figure&) const = default;
};

struct declaration {
  figure primary;             // the answer to the workload's question: the models rank on it
  std::vector<figure> costs;  // shown beside it, never ranked
  std::string item = "item";  // what one of W::items is, for per-item figures ("task")
  // Rank over every case of the run (every rung of the sweep and the test cases too), where one
  // case alone would decide on a single size (the crawler's order differs between rungs).
  bool every_rung = false;
  // Each case asks a question of its own (a server under 64 connections is not one under 10,000):
  // the summary names the best at each case, the sweep's rungs included, where one ranking over
  // the cases would hide which model wins where.
  bool per_case = false;
  // The run's wall time is set by the case, not by the model, and its process's CPU and memory are
  // not the model's (a server of its own under a load of fixed duration): the course's Python is
  // set beside its counterpart on the primary figure alone.
  bool fixed_wall_time = false;
  // A model shown beside the ranking as its floor and never ranked: the one-thread hand-off of
  // a queue is not a concurrent queue's rival.
  std::string floor = {};
  // Why a model without the primary figure has none ("runs no event loop"); such a model shows
  // "–" and is never best.
  std::string absent_why = {};

  bool operator==(const declaration&) const = default;
};

// The title a figure goes by when it declares none: "wall time", "CPU time per task", ...
std::string title_of(const figure& f, std::string_view item);

// The text concur-bench writes as the context value vocabulary::context::merit_of(workload) (JSON
// with named keys), and its reading; none when the text is no declaration.
std::string to_text(const declaration& d);
std::optional<declaration> parse(std::string_view text);

}  // namespace concur::merit
