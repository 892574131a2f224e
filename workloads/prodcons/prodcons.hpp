#pragma once
// Producer/consumer on a bounded queue, from the course's asyncio.Queue lab: P producers each put
// N items into a queue of capacity K, C consumers take them until the producers are done and the
// queue is drained (q.join(), then the consumers are stopped). The answer is the multiset of
// consumed items and their total; the parity is that every item was consumed exactly once, the
// queue never held more than K, and every consumer shut down cleanly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/workload.hpp"
#include "models/models.hpp"

namespace concur::prodcons {

struct params {
  std::size_t producers;           // P
  std::size_t consumers;           // C
  std::size_t capacity;            // K, at least 1
  std::size_t items_per_producer;  // N
  bool peers = false;  // time other programs doing this work beside the models on this case
};

struct result {
  std::vector<std::uint64_t> consumed;  // every consumed item, sorted (a multiset)
  std::uint64_t total = 0;              // their sum, wrapping
  std::size_t produced = 0;             // work parity: items the producers put
  bool within_capacity = false;         // the queue never held more than K
  bool clean_shutdown = false;  // every consumer ended after the last item, none left queued
  // Measured, not compared: the most the queue held. An item handed straight to a waiting
  // consumer (an Asio channel does that) was never held; tbb counts live pipeline tokens.
  std::size_t high_water = 0;
  bool operator==(const result& o) const {
    return consumed == o.consumed && total == o.total && produced == o.produced &&
           within_capacity == o.within_capacity && clean_shutdown == o.clean_shutdown;
  }
};

// Item j of producer p: a mix of both, so that a lost or duplicated item shows.
std::uint64_t item_of(std::size_t producer, std::size_t j);

// The result from what the consumers took (in any order) and what was measured.
result make_result(std::vector<std::uint64_t> consumed, std::size_t produced,
                   std::size_t high_water, const params& p, bool clean_shutdown);

struct workload : workload_base<params, result> {
  static constexpr std::string_view name = "prodcons";
  // Its runs compute: short single runs vary by 5-15 % on a shared VM (has_min_run_time). Measured
  // on the nginx_n10000_c64 / tree_200k / p4_c4_k16_n20000 cells of every model, six rounds: a
  // minimum of 0.5 s took the median CV from 4.8 % to 3.6 %.
  static constexpr double min_run_seconds(const params&) { return 0.5; }

  static std::vector<case_def<params>> cases();
  // The question: what does each queue cost per item handed over. One thread handing items to
  // itself is the floor under every queue, not a rival.
  static merit::declaration merit() {
    using merit::quantity;
    return {.primary = {.of = quantity::wall_time, .per_item = true},
            .costs = {{.of = quantity::cpu_time, .per_item = true}},
            .item = "item",
            .floor = "sequential"};
  }
  static std::string describe_diff(const result& expected, const result& actual);
  static result reference(const params& p);
  // Pure coordination: nothing waits, so there is no ideal time to compare with.
  static double ideal_seconds(const params&, models::in_flight) { return 0.0; }
  static double items(const params& p) {
    return static_cast<double>(p.producers * p.items_per_producer);
  }
  static concur::metrics metrics(const result& r) {
    return {{"high_water", static_cast<double>(r.high_water)}};
  }

  // One per model, each an explicit specialization in the model's own file (threads.cpp, ...).
  template <models::model M>
  static result run(M, const params&, const models::config&);
};

}  // namespace concur::prodcons
