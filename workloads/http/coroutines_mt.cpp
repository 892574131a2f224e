// coroutines_mt: the C connections split among the loops, each loop with its workers (a coroutine
// and a keep-alive connection each) and their watchdog, as in the coroutines model; the workers of
// every loop take the next URL from one atomic counter, and each writes only its URLs' slots.
#include <algorithm>
#include <atomic>
#include <deque>

#include "models/coroutines_mt.hpp"
#include "workloads/http/on_loop.hpp"

namespace concur::http {
namespace {

struct coroutines_mt_state {
  coroutines_mt_state(const client_options& options, unsigned threads) : loops(threads) {
    for (std::size_t k = 0; k < loops.size(); ++k) clients.emplace_back(loops.executor(k), options);
  }
  coroutines_mt::event_loops loops;
  std::deque<on_loop::loop_client> clients;  // one per loop, its connections kept across batches
};

}  // namespace

template <>
getter make_getter(models::coroutines_mt_model, const client_options& options,
                   const models::config& config, client_tally& tally) {
  auto state = std::make_shared<coroutines_mt_state>(options, config.worker_threads);
  return [state, options, &tally](const std::vector<std::string>& urls) {
    std::vector<response> out(urls.size());
    std::atomic<std::size_t> next{0};
    const std::size_t workers = std::min(options.concurrency, urls.size());
    const std::size_t n = state->loops.size();
    state->loops.run([&] {
      return state->loops.on_each([&](std::size_t k) {
        // Loop k's share of the workers: C / n, the remainder to the last loops.
        const std::size_t share = workers * (k + 1) / n - workers * k / n;
        return on_loop::fetch(state->clients[k], share, urls, next, out, tally);
      });
    });
    return out;
  };
}

}  // namespace concur::http
