// processes: the computation in a worker process of its own (ProcessPoolExecutor through
// run_in_executor); it runs there as in the coroutines model, yielding to the worker's own loop,
// where nothing else waits. The parent's loop awaits its answer and ticks the heartbeat meanwhile:
// the OS runs the two processes side by side, so the computation never holds the heartbeat up.
#include "models/processes.hpp"
#include "workloads/cpuyield/on_loop.hpp"

namespace concur::cpuyield {
namespace {

processes::task<void> in_worker(processes::pool& worker, result& r) {
  const auto bytes = co_await worker.submit({});
  processes::message_reader answer(bytes);
  r.answer = answer.number();
  r.iterations = answer.number();
  r.yields = answer.number();
}

}  // namespace

template <>
result workload::run(models::processes_model, const params& p, const models::config&) {
  on_loop s(p);
  processes::pool worker(1, [&p](std::string_view) {
    result out;
    loop::run([&] { return compute(p, out); });
    return processes::message{}.put(out.answer).put(out.iterations).put(out.yields).take();
  });
  result r;
  worker.run([&]() -> processes::task<void> {
    auto computation = in_worker(worker, r);
    co_await s.beside_heartbeat(std::move(computation));
  });
  return s.finish(std::move(r));
}

}  // namespace concur::cpuyield
