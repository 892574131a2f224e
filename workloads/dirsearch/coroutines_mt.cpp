// coroutines_mt: a walker coroutine per root, the roots dealt round the loops; a walker reads a
// slice (one getdents64 buffer) at a time from its own stack of directories, as in the coroutines
// model, and whenever a loop has no walker it hands the oldest directory of its stack (the
// largest sub-tree, likely) to a new walker there. A walker yields after a slice only while
// another walker shares its loop. Each walker keeps its own tally; it reaches the root's search,
// on the first loop, as the walker's completion (an Asio handler run there), so the loops share
// only two counters, atomics: walkers per loop, and walkers per root.
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <deque>

#include "models/coroutines_mt.hpp"
#include "models/loop_control.hpp"
#include "workloads/dirsearch/dirsearch.hpp"

namespace concur::dirsearch {
namespace {

namespace asio = boost::asio;

// One root's search, on the first loop; its walkers run anywhere.
struct root_search {
  explicit root_search(coroutines_mt::executor_type ex)
      : here(ex), all_done(ex, coroutines_mt::timer::time_point::max()) {}
  coroutines_mt::executor_type here;
  std::atomic<std::size_t> walking{0};  // walkers started and not yet ended
  tally found;                          // the ended walkers' tallies, merged here
  std::exception_ptr error;
  coroutines_mt::timer all_done;  // cancelled when the last walker has ended
};

class search {
 public:
  search(coroutines_mt::event_loops& loops, const params& p)
      : loops_(loops), p_(p), walkers_on_(loops.size()) {}

  coroutines_mt::task<root_result> search_root(std::string root, std::size_t loop) {
    root_search r(co_await coroutines_mt::this_executor);
    ++walkers_on_[loop];
    start_walker(r, root_job(root), loop);
    // The walkers' ends run on this loop, so none can slip in between the test and the wait.
    while (r.walking > 0) co_await r.all_done.async_wait(asio::as_tuple(coroutines_mt::use_task));
    if (r.error) std::rethrow_exception(r.error);
    co_return finish_root(p_, std::move(root), std::move(r.found));
  }

 private:
  // Starts a walker on `loop` (whose count the caller has raised); its end runs on r's loop.
  void start_walker(root_search& r, dir_job first, std::size_t loop) {
    ++r.walking;
    auto ended = [&r](std::exception_ptr e, tally t) {
      if (e && !r.error) r.error = e;
      r.found.merge(std::move(t));
      if (--r.walking == 0) r.all_done.cancel();
    };
    asio::co_spawn(loops_.executor(loop), walk(r, std::move(first), loop),
                   asio::bind_executor(r.here, std::move(ended)));
  }

  coroutines_mt::task<tally> walk(root_search& r, dir_job first, std::size_t loop) {
    tally found;
    std::vector<dir_job> pending{std::move(first)};
    while (!pending.empty()) {
      dir_reader reader(std::move(pending.back()), p_.opts, found);
      pending.pop_back();
      for (bool more = true; more;) {
        more = reader.read_some(found, pending);
        share(r, pending, more ? 0 : 1);
        if (walkers_on_[loop] > 1) co_await loop::yield();
      }
    }
    --walkers_on_[loop];
    co_return found;
  }

  // Hands the oldest of `pending` to a new walker on each loop that has none, keeping `keep`.
  void share(root_search& r, std::vector<dir_job>& pending, std::size_t keep) {
    for (std::size_t k = 0; k < walkers_on_.size() && pending.size() > keep; ++k) {
      std::size_t idle = 0;  // looked at before the exchange: a failed one still takes the line
      if (walkers_on_[k].load() != 0 || !walkers_on_[k].compare_exchange_strong(idle, 1)) continue;
      start_walker(r, std::move(pending.front()), k);
      pending.erase(pending.begin());
    }
  }

  coroutines_mt::event_loops& loops_;
  const params& p_;
  std::deque<std::atomic<std::size_t>> walkers_on_;  // per loop; holds atomics: built in place
};

}  // namespace

template <>
result workload::run(models::coroutines_mt_model, const params& p, const models::config& config) {
  const auto roots = resolve_roots(p);
  coroutines_mt::event_loops loops(config.worker_threads);
  search s(loops, p);
  auto found = loops.run([&]() -> coroutines_mt::task<std::vector<root_result>> {
    std::vector<coroutines_mt::task<root_result>> searches;
    for (std::size_t i = 0; i < roots.size(); ++i)
      searches.push_back(s.search_root(roots[i], i % loops.size()));
    co_return co_await coroutines_mt::gather(std::move(searches));
  });
  return {std::move(found)};
}

}  // namespace concur::dirsearch
