#pragma once
// What the loop models share: the calls gathered on one Asio loop while a heartbeat ticks beside
// them, and the loop's gaps as the measured figures. They differ only in what a call is (the
// blocking function called on the loop, on one of several loops, or awaited on the pool).
#include <chrono>
#include <cstdint>
#include <vector>

#include "models/heartbeat.hpp"
#include "models/loop_control.hpp"
#include "workloads/offload/offload.hpp"

namespace concur::offload {

// A call made directly in a coroutine: it blocks its loop's thread, nothing else runs there
// meanwhile. `calls` is a std::size_t on one loop, an atomic when calls run on several.
template <class Counter>
loop::task<std::uint64_t> blocking_call(std::size_t i, std::chrono::milliseconds delay,
                                        Counter& calls) {
  const std::uint64_t v = sundial(i, delay);
  ++calls;
  co_return v;
}

struct on_loop {
  heartbeat_log beats;
  bool stop = false;  // outlives the loop's run: the heartbeat reads it to its end

  // The calls' values, gathered while the heartbeat ticks every 1 ms.
  loop::task<std::vector<std::uint64_t>> gather(std::vector<loop::task<std::uint64_t>> calls) {
    auto ex = co_await loop::asio::this_coro::executor;
    auto beat = loop::spawn(ex, loop::heartbeat(std::chrono::milliseconds(1), stop, beats));
    auto values = co_await loop::gather(std::move(calls));
    stop = true;
    co_await beat.result();
    co_return values;
  }

  // r with the loop's gaps measured.
  result finish(result r) const {
    r.loop_worst_gap_ms = beats.worst_gap_ms();
    r.loop_p99_gap_ms = beats.gap_percentile_ms(99);
    return r;
  }
};

}  // namespace concur::offload
