// tbb: a parallel_pipeline with K live tokens, oneTBB's bounded producer/consumer: a serial
// filter takes the producers' items in turn, a parallel filter consumes them on the arena's
// threads (C is not a knob here: up to arena-size consumers run at once). Nothing blocks.
#include <oneapi/tbb/concurrent_vector.h>
#include <oneapi/tbb/parallel_pipeline.h>

#include <atomic>

#include "models/tbb.hpp"
#include "models/tbb_tsan.hpp"
#include "workloads/prodcons/prodcons.hpp"

namespace concur::prodcons {

namespace {

struct pipeline_state {
  const params& p;
  const std::size_t total;
  std::size_t next = 0, produced = 0;  // the serial filter's: one item at a time
  std::atomic<std::size_t> in_queue{0}, high_water{0};
  oneapi::tbb::concurrent_vector<std::uint64_t> consumed;

  // The serial filter: producers take turns, item j of producer p is the (j * P + p)-th put.
  std::uint64_t produce(oneapi::tbb::flow_control& fc) {
    if (next == total) {
      fc.stop();
      return 0;
    }
    const std::uint64_t item = item_of(next % p.producers, next / p.producers);
    ++next;
    ++produced;
    const std::size_t now = ++in_queue;
    std::size_t seen = high_water.load();
    while (now > seen && !high_water.compare_exchange_weak(seen, now)) {
    }
    return item;
  }

  void consume(std::uint64_t item) {
    consumed.push_back(item);
    --in_queue;
  }
};

}  // namespace

template <>
result workload::run(models::tbb_model, const params& p, const models::config& config) {
  pipeline_state s{.p = p, .total = p.producers * p.items_per_producer};
  tbb_model::run_in_arena(config.worker_threads, [&] {
    using oneapi::tbb::filter_mode;
    // Each body starts with an acquire and ends with a release of `s`, so that ThreadSanitizer
    // sees the hand-overs libtbb makes between them (see models/tbb_tsan.hpp).
    tbb_model::tsan_release(&s);
    oneapi::tbb::parallel_pipeline(
        p.capacity,
        oneapi::tbb::make_filter<void, std::uint64_t>(filter_mode::serial_in_order,
                                                      [&s](oneapi::tbb::flow_control& fc) {
                                                        tbb_model::tsan_acquire(&s);
                                                        const std::uint64_t item = s.produce(fc);
                                                        tbb_model::tsan_release(&s);
                                                        return item;
                                                      }) &
            oneapi::tbb::make_filter<std::uint64_t, void>(filter_mode::parallel,
                                                          [&s](std::uint64_t item) {
                                                            tbb_model::tsan_acquire(&s);
                                                            s.consume(item);
                                                            tbb_model::tsan_release(&s);
                                                          }));
    tbb_model::tsan_acquire(&s);
  });
  std::vector<std::uint64_t> all(s.consumed.begin(), s.consumed.end());
  return make_result(std::move(all), s.produced, s.high_water, p, s.in_queue == 0);
}

}  // namespace concur::prodcons
