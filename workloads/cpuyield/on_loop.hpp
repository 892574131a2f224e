#pragma once
// What the loop models share: the computation runs beside a heartbeat coroutine on one Asio loop.
// They differ in where the computation runs: on the loop's thread, yielding to the loop, on
// another loop, or on the pool.
#include "models/loop_control.hpp"
#include "workloads/cpuyield/cpuyield.hpp"

namespace concur::cpuyield {

// The computation as a coroutine: it yields to its loop every p.yield_every steps (co_await
// loop::yield(), asyncio.sleep(0)), never otherwise.
inline loop::task<void> compute(const params& p, result& r) {
  for (sliced_chain chain(p, r); chain.next_slice();) co_await loop::yield();
}

class on_loop {
 public:
  explicit on_loop(const params& p) : p_(p), measured_(p) {}

  // Awaits `computation` beside a heartbeat ticking every p.period, and times it.
  loop::task<void> beside_heartbeat(loop::task<void> computation) {
    auto ex = co_await loop::asio::this_coro::executor;
    auto beat = loop::spawn(ex, loop::heartbeat(p_.period, stop_, measured_.beats));
    co_await loop::yield();  // let the heartbeat start before the computation takes the thread
    measured_.computation_starts();
    co_await std::move(computation);
    measured_.computation_ends();
    stop_ = true;
    co_await beat.result();
  }

  result finish(result r) const { return measured_.finish(std::move(r)); }

 private:
  const params& p_;
  measurement measured_;
  bool stop_ = false;  // outlives the loop's run: the heartbeat reads it to its end
};

}  // namespace concur::cpuyield
