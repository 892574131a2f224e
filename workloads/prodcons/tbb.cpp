// tbb: a parallel_pipeline with K live tokens, oneTBB's bounded producer/consumer: a serial
// filter takes the producers' items in turn, a parallel filter consumes them on the arena's
// threads (C is not a knob here: up to arena-size consumers run at once). Nothing blocks.
#include <oneapi/tbb/concurrent_vector.h>
#include <oneapi/tbb/parallel_pipeline.h>

#include <atomic>

#include "models/tbb.hpp"
#include "workloads/prodcons/prodcons.hpp"

namespace concur::prodcons {

result workload::run(models::tbb_model, const params& p, const models::config& config) {
  oneapi::tbb::concurrent_vector<std::uint64_t> consumed;
  std::atomic<std::size_t> in_queue{0}, high_water{0};
  // Only the serial filter touches these, one item at a time, but on whichever thread runs it;
  // atomics make that hand-over visible to ThreadSanitizer (libtbb itself is not instrumented).
  std::atomic<std::size_t> produced{0}, next{0};
  const std::size_t total = p.producers * p.items_per_producer;
  tbb_model::run_in_arena(config.arena_threads, [&] {
    using oneapi::tbb::filter_mode;
    oneapi::tbb::parallel_pipeline(
        p.capacity, oneapi::tbb::make_filter<void, std::uint64_t>(
                        filter_mode::serial_in_order,
                        [&](oneapi::tbb::flow_control& fc) -> std::uint64_t {
                          if (next == total) {
                            fc.stop();
                            return 0;
                          }
                          // Producers take turns: item j of producer p is the (j * P + p)-th put.
                          const std::size_t n = next++;
                          const std::uint64_t item = item_of(n % p.producers, n / p.producers);
                          ++produced;
                          const std::size_t now = ++in_queue;
                          std::size_t seen = high_water.load();
                          while (now > seen && !high_water.compare_exchange_weak(seen, now)) {
                          }
                          return item;
                        }) &
                        oneapi::tbb::make_filter<std::uint64_t, void>(filter_mode::parallel,
                                                                      [&](std::uint64_t item) {
                                                                        consumed.push_back(item);
                                                                        --in_queue;
                                                                      }));
  });
  std::vector<std::uint64_t> all(consumed.begin(), consumed.end());
  return make_result(std::move(all), produced, high_water, p, in_queue == 0);
}

}  // namespace concur::prodcons
