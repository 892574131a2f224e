// fibers: producer and consumer fibers on one thread around an Asio channel of capacity K, in
// blocking style: a full queue suspends a producer's put, an empty one a consumer's get.
#include "models/fibers_queue.hpp"
#include "workloads/prodcons/prodcons.hpp"

namespace concur::prodcons {

template <>
result workload::run(models::fibers_model, const params& p, const models::config&) {
  return fibers::run([&](fibers::yield_context yield) {
    fibers::queue<std::uint64_t> queue(yield.get_executor(), p.capacity);
    std::vector<std::uint64_t> consumed;
    std::size_t produced = 0, consumers_done = 0;
    fibers::group consumers(yield, p.consumers);
    for (std::size_t c = 0; c < p.consumers; ++c) {
      consumers.spawn([&](fibers::yield_context yield) {
        while (auto item = queue.get(yield)) {
          consumed.push_back(*item);
          queue.task_done();
        }
        ++consumers_done;
      });
    }
    fibers::group producers(yield, p.producers);
    for (std::size_t who = 0; who < p.producers; ++who) {
      producers.spawn([&, who](fibers::yield_context yield) {
        for (std::size_t j = 0; j < p.items_per_producer; ++j)
          if (queue.put(item_of(who, j), yield)) ++produced;
      });
    }
    producers.wait();
    queue.join(yield);  // the seeds' main(): await the producers, q.join(), stop the consumers
    queue.close();
    consumers.wait();
    const bool clean = consumers_done == p.consumers && queue.unfinished() == 0;
    return make_result(std::move(consumed), produced, queue.high_water(), p, clean);
  });
}

}  // namespace concur::prodcons
