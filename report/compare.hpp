#pragma once
// `concur compare`: two or more concur-bench JSON files, the first the base;
// per cell (workload/model/case) the change of the median real time from the base to each other
// file, with a bootstrap 95 % CI, the two-sided Mann-Whitney U p-value on the repetitions and the
// verdict of stats::compare. Cells missing from a file, failed or skipped are listed, never
// dropped. Built in compare.cpp; written by compare_markdown.cpp and compare_csv.cpp from one
// table (compare_table.cpp), so both outputs have the same columns.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/vocabulary.hpp"
#include "report/report.hpp"
#include "report/stats.hpp"

namespace concur::compare {

// A usage error: too few files, a --label count that does not match.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct input {
  std::string path;  // as given, for messages and as the last resort for a label
  report::results results;
};

struct options {
  double threshold = 0.05;          // a fraction: the gate's "slower by more than"
  std::vector<std::string> labels;  // one per input, or empty: from each file's context
};

// One cell in one file.
struct side {
  bool present = false;
  std::string verdict;        // "pass" when every repetition passed, else the first that did not
  std::string detail;         // that repetition's reason or diff
  std::vector<double> times;  // real time of the passing repetitions, seconds
  std::optional<double> median;

  bool passed() const { return verdict == vocabulary::to_string(vocabulary::verdict_kind::pass); }
  bool timed() const { return present && passed() && !times.empty(); }
};

// What became of a cell between the base and one other file.
enum class state {
  compared,      // timed in both: `change` holds the outcome
  only_in_base,  // absent from the other file
  only_in_new,   // absent from the base
  in_neither,    // with three files or more: present only in some third file
  not_timed,     // failed, skipped, ... (or untimed) in one of the two
};

struct column {
  state what = state::in_neither;
  std::optional<stats::change> change;  // when compared
  // The smallest p-value the U test can reach at these repetition counts (0.1 at 3 vs 3): when
  // it is not below alpha, no change can be resolved whatever the data, and the output says so.
  double smallest_p = 0;
  bool too_few = false;
  bool regression = false;  // resolved slower and its whole CI beyond 1 + threshold
};

struct cell {
  std::string workload, model, case_name;
  std::vector<side> sides;      // one per input; [0] is the base
  std::vector<column> columns;  // one per input after the base
};

// Counts for one file against the base.
struct tally {
  std::size_t compared = 0, slower = 0, faster = 0, unresolved = 0;
  std::size_t too_few = 0;      // of unresolved: too few repetitions to resolve anything
  std::size_t only_in_one = 0;  // in the base or in this file, not both
  std::size_t not_timed = 0;    // failed, skipped or without a usable time in either
  std::size_t regressions = 0;
};

struct comparison {
  std::vector<std::string> paths, labels;  // one per input; [0] the base
  std::vector<std::string> warnings;       // machine noise, one line per busy file
  double threshold = 0.05;
  double alpha = 0.05;
  std::vector<cell> cells;    // largest resolved changes first, then unresolved, then the rest
  std::vector<tally> totals;  // one per input after the base

  bool regressed() const;  // any cell of any file: the exit status 1 of the gate
};

// Throws compare::error on fewer than two inputs or a label count that does not match.
comparison build(const std::vector<input>& inputs, const options& o = {});

// "host_name date" from Google Benchmark's context (date to the minute), or the file's name.
std::string label_from_context(const input& in);

// A warning line when the file's context says the machine was busy (concur-bench's noise keys);
// nothing for a quiet machine or an old file without the keys.
std::optional<std::string> noise_warning(const input& in, const std::string& label);

// The table both writers print: a header and one row per cell, plain text (numbers in seconds
// and fractions), not yet escaped for either format.
struct table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
table to_table(const comparison& c);

// "LABEL vs BASE: N cells compared, k slower, j faster, m no change resolved, x only in one
// file, ..." for input i (1-based: the file after the base).
std::string summary_line(const comparison& c, std::size_t i);
// What the gate decided, e.g. "threshold 5 %: 2 cells slower by more than 5 % (exit status 1)".
std::string gate_line(const comparison& c);

std::string to_markdown(const comparison& c);
std::string to_csv(const comparison& c);

}  // namespace concur::compare
