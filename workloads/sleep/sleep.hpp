#pragma once
// Sleep tasks, from the course's slow(n) / say_after / displayAfter: N tasks each wait `delay`,
// then return a value computed from their index. The answer is the values in task order.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/workload.hpp"
#include "models/models.hpp"

namespace concur::sleep {

struct params {
  std::size_t tasks;
  std::chrono::milliseconds delay;
  bool peers = false;  // time other programs doing this work beside the models on this case
};

struct result {
  std::vector<std::uint64_t> values;  // gather order: values[i] is task i's
  std::size_t started = 0;            // work parity: tasks that began waiting
  std::size_t finished = 0;           // and tasks that finished
  bool operator==(const result&) const = default;
};

// What task i returns: a mix of i, so a value in the wrong slot cannot pass for the right one.
std::uint64_t value_of(std::size_t i);

// Counts tasks as they start and finish; shared by tasks on any thread.
struct tally {
  std::atomic<std::size_t> started{0};
  std::atomic<std::size_t> finished{0};
  result into(std::vector<std::uint64_t> values) const {
    return {std::move(values), started, finished};
  }
};

struct workload : workload_base<params, result> {
  static constexpr std::string_view name = "sleep";

  static std::vector<case_def<params>> cases();
  // The question: how long do N waits take, and what does each waiting task cost in memory.
  static merit::declaration merit() {
    using merit::quantity;
    return {.primary = {.of = quantity::wall_time},
            .costs = {{.of = quantity::peak_memory, .per_item = true}},
            .item = "task"};
  }
  static std::string describe_diff(const result& expected, const result& actual);
  static result reference(const params& p);
  static double ideal_seconds(const params& p, models::in_flight limit);
  static double items(const params& p) { return static_cast<double>(p.tasks); }

  // One per model, each an explicit specialization in the model's own file (threads.cpp, ...).
  template <models::model M>
  static result run(M, const params&, const models::config&);
};

}  // namespace concur::sleep
