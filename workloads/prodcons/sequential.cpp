// sequential: one thread takes turns: producers put in turn, and when the queue is full the next
// consumer takes one; at the end the consumers drain the queue. Nothing runs at once.
#include <deque>

#include "workloads/prodcons/prodcons.hpp"

namespace concur::prodcons {

template <>
result workload::run(models::sequential_model, const params& p, const models::config&) {
  std::deque<std::uint64_t> queue;
  std::vector<std::uint64_t> consumed;
  std::size_t produced = 0, high_water = 0;
  auto consume_one = [&] {
    consumed.push_back(queue.front());
    queue.pop_front();
  };
  for (std::size_t j = 0; j < p.items_per_producer; ++j) {
    for (std::size_t producer = 0; producer < p.producers; ++producer) {
      if (queue.size() >= p.capacity) consume_one();
      queue.push_back(item_of(producer, j));
      ++produced;
      high_water = std::max(high_water, queue.size());
    }
  }
  while (!queue.empty()) consume_one();  // q.join(): the consumers drain it, then stop
  return make_result(std::move(consumed), produced, high_water, p, queue.empty());
}

}  // namespace concur::prodcons
