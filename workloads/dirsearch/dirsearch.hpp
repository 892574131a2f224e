#pragma once
// Directory search, from the course lab: search several directories for every file and
// sub-directory below them, one after another or concurrently. The answer per root is every entry
// (relative path, type) in the canonical order, the errors met, and the work done.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/workload.hpp"
#include "models/models.hpp"
#include "workloads/dirsearch/tree.hpp"
#include "workloads/dirsearch/walk.hpp"

namespace concur::dirsearch {

struct root_result {
  std::string root;  // as searched
  std::vector<entry> entries;
  std::vector<error> errors;
  std::size_t dirs_opened = 0;   // work parity
  std::size_t entries_read = 0;  // work parity
  // Equal when the same entries and errors were found by the same work, in any order.
  bool operator==(const root_result& o) const;
};

// Sorts entries and errors into the canonical order (outside any timed region).
void canonicalize(root_result& r);

struct result {
  std::vector<root_result> roots;  // in the order of params::roots
  bool operator==(const result&) const = default;
};

struct params {
  std::vector<std::string> roots;
  options opts;
  // When set, this tree is generated (once, cached) and relative roots are taken below it.
  std::optional<tree_spec> fixture;
  // Called as each root's search finishes (the lab app's progress line); may be called from any
  // of the model's threads, one call at a time per root.
  std::function<void(const root_result&)> on_root_done;
  // Time other programs doing this work (find, fdfind, ...) beside the models on this case; they
  // run only on directory roots with links not followed.
  bool peers = false;
};

// The roots as the models search them: generates the fixture when needed.
std::vector<std::string> resolve_roots(const params& p);

// One root's answer from a walker's tally; tells on_root_done.
root_result finish_root(const params& p, std::string root, tally&& t);

struct workload : workload_base<params, result> {
  static constexpr std::string_view name = "dirsearch";
  // Its runs compute: short single runs vary by 5-15 % on a shared VM (has_min_run_time). Measured
  // on the nginx_n10000_c64 / tree_200k / p4_c4_k16_n20000 cells of every model, six rounds: a
  // minimum of 0.5 s took the median CV from 3.6 % to 2.8 %.
  static constexpr double min_run_seconds(const params&) { return 0.5; }

  static std::vector<case_def<params>> cases();
  // The question: how fast is the tree searched, and at what CPU.
  static merit::declaration merit() {
    using merit::quantity;
    return {.primary = {.of = quantity::wall_time},
            .costs = {{.of = quantity::cpu_time}},
            .item = "entry"};
  }
  static std::string describe_diff(const result& expected, const result& actual);
  static double ideal_seconds(const params& p, models::in_flight limit);
  static double items(const params& p);
  static concur::metrics metrics(const result& r);
  static std::vector<baseline> baselines(const params& p);
  static std::size_t baseline_records(const result& r);
  static std::string audit(const params& p, const result& r);
  // find's listing: every entry and its type (with -L, those below PATH_MAX).
  static std::string audit_source(const params&) { return "find -printf '%P %y'"; }

  // One per model, each an explicit specialization in the model's own file (threads.cpp, ...).
  template <models::model M>
  static result run(M, const params&, const models::config&);
};

// A directory of the user's own, searched as the bench case env_root beside the fixture trees
// (concur-bench --dirsearch-root); empty: none. Set before the cases are made.
void set_extra_root(std::string root);

// A name or path for a terminal: bytes that are not printable ASCII (a newline in a name, invalid
// UTF-8) and backslashes are shown as \xNN.
std::string printable(std::string_view s);

}  // namespace concur::dirsearch
