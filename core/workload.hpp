#pragma once
// The contract between a workload and the harness (see DESIGN.md, "The contract").
//
// A workload W is a struct with
//   W::name, W::params_type, W::result_type (with operator==, work parity included),
//   W::cases()                      -> std::vector<case_def<params_type>>
//   W::describe_diff(expected, got) -> std::string, a line per difference
//   W::ideal_seconds(params, in_flight), W::items(params)
//   W::run(Model{}, params, config) -> result_type       for each model it implements
//   W::unsupported(Model{})         -> std::string_view  for each model it cannot do, with why
//   W::reference(params)            -> result_type        optional: an oracle that needs no run
//   W::metrics(result)              -> concur::metrics    optional: measured figures a result
//                                      carries beside its answer (latencies, high-water marks);
//                                      reported as benchmark counters, never compared
#include <concepts>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "models/models.hpp"

namespace concur {

enum class case_kind { test, bench };

template <class Params>
struct case_def {
  std::string name;
  case_kind kind;
  Params params;
};

// Named figures a run measured (e.g. {"heartbeat_p99_ms", 1.2}); not part of the answer.
using metrics = std::vector<std::pair<std::string, double>>;

// The OS refused a resource the model needs (a thread, a descriptor): a measured limit, not a bug.
class resource_exhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class W, class M>
concept runs_in = requires(const typename W::params_type& p, const models::config& c) {
  { W::run(M{}, p, c) } -> std::same_as<typename W::result_type>;
};

template <class W, class M>
concept declines = requires {
  { W::unsupported(M{}) } -> std::convertible_to<std::string_view>;
};

template <class W>
concept has_metrics = requires(const typename W::result_type& r) {
  { W::metrics(r) } -> std::same_as<metrics>;
};

template <class W>
concept has_reference = requires(const typename W::params_type& p) {
  { W::reference(p) } -> std::same_as<typename W::result_type>;
};

}  // namespace concur
