// threads: a std::jthread per producer and per consumer around a condition-variable bounded queue;
// a full queue blocks producers, an empty one blocks consumers; the caller blocks in join().
#include <atomic>
#include <mutex>

#include "models/bounded_queue.hpp"
#include "models/threads.hpp"
#include "workloads/prodcons/prodcons.hpp"

namespace concur::prodcons {

template <>
result workload::run(models::threads_model, const params& p, const models::config&) {
  threads::bounded_queue<std::uint64_t> queue(p.capacity);
  std::atomic<std::size_t> produced{0}, consumers_done{0};
  std::mutex consumed_mutex;
  std::vector<std::uint64_t> consumed;

  threads::task_group consumers(p.consumers);
  for (std::size_t c = 0; c < p.consumers; ++c) {
    consumers.spawn([&] {
      std::vector<std::uint64_t> mine;
      while (auto item = queue.pop()) mine.push_back(*item);
      std::scoped_lock lock(consumed_mutex);
      consumed.insert(consumed.end(), mine.begin(), mine.end());
      ++consumers_done;
    });
  }
  {
    threads::task_group producers(p.producers);
    for (std::size_t producer = 0; producer < p.producers; ++producer) {
      producers.spawn([&, producer] {
        for (std::size_t j = 0; j < p.items_per_producer; ++j)
          if (queue.push(item_of(producer, j))) ++produced;
      });
    }
    producers.join();
  }
  queue.close();  // the producers are done: consumers drain what is left, then end
  consumers.join();
  const bool clean = consumers_done == p.consumers && queue.size() == 0;
  return make_result(std::move(consumed), produced, queue.high_water(), p, clean);
}

}  // namespace concur::prodcons
