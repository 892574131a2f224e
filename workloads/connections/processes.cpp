// processes: the connections (the long-poll's and readiness's) cut into one contiguous share per
// worker process, each share below a process's descriptor limit (so there are as many workers as
// the descriptors need, and at least the configured count); each worker runs its share's
// coroutines (async_client.hpp) on its own loop, as the coroutines model runs them all. A worker's
// work comes as two jobs: open and send (its loop runs until every connection of its share has
// sent its first request), then the rest (the replies; readiness's further exchanges). Between
// them, when every worker has sent, the parent's tally samples the peak (every connection open,
// the server holding them); then it gathers the replies in client order.
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "models/processes.hpp"
#include "workloads/connections/async_client.hpp"

namespace concur::connections {
namespace {

using executor_type = boost::asio::io_context::executor_type;

enum class step : std::uint64_t { send, finish };

// Connection `first` to `last` of the whole run, as a run of their own (the replies its own).
template <class Run>
Run part_of(const Run& whole, std::size_t first, std::size_t last) {
  Run part;
  static_cast<connection_run&>(part) = whole;  // the endpoints and the deadline
  part.first = first;
  part.whole = whole.connections;
  part.connections = last - first;
  if constexpr (std::is_same_v<Run, exchange_run>) part.exchanges = whole.exchanges;
  part.replies.resize(part.connections);
  return part;
}

void put_replies(processes::message& out, const reply& r) {
  out.put(static_cast<std::uint64_t>(r.status)).put(r.body);
}
void put_replies(processes::message& out, const std::vector<reply>& replies) {
  out.put(replies.size());
  for (const auto& r : replies) put_replies(out, r);
}
void take_replies(processes::message_reader& in, reply& r) {
  r.status = static_cast<int>(in.number());
  r.body = in.text();
}
void take_replies(processes::message_reader& in, std::vector<reply>& replies) {
  replies.resize(in.number());
  for (auto& r : replies) take_replies(in, r);
}

// A worker's share of the run: its connections' coroutines on the worker's own loop, kept from
// one job to the next.
template <class Run>
class share {
 public:
  template <class Client>
  share(const Run& whole, std::size_t first, std::size_t last, Client client)
      : run_(part_of(whole, first, last)) {
    run_.work = &work_;
    spawn_all(ctx_.get_executor(), run_, client, errors_);
  }

  // Runs the loop until every connection of the share has sent (its first request), or every
  // one has ended; answers the counts so far.
  std::string send_all() {
    while (work_.sent_count() < run_.connections && ctx_.run_one_until(run_.deadline) > 0) {
    }
    errors_.rethrow();
    return counts().take();
  }

  // Runs the loop until every connection has ended or the deadline has passed; answers the
  // counts since the last answer, the share's first index and its replies.
  std::string finish() {
    ctx_.run_until(run_.deadline);
    errors_.rethrow();
    auto answer = counts();
    answer.put(run_.first);
    for (const auto& r : run_.replies) put_replies(answer, r);
    return answer.take();
  }

 private:
  // What the tally counted since the last answer: opened, closed, sent.
  processes::message counts() {
    const std::size_t now[] = {work_.opened_count(), work_.closed_count(), work_.sent_count()};
    processes::message out;
    for (std::size_t k = 0; k < 3; ++k) out.put(now[k] - std::exchange(reported_[k], now[k]));
    return out;
  }

  tally work_{0};  // the parent's tally samples the peak
  Run run_;
  first_error errors_;
  std::size_t reported_[3] = {0, 0, 0};
  boost::asio::io_context ctx_{1};  // destroyed first: its coroutines refer to the rest
};

// Adds a worker's counts to the parent's tally: opened and closed before sent, so that the last
// request's sample sees every worker's connections.
void add_counts(tally& work, processes::message_reader& answer) {
  work.opened(answer.number());
  work.closed(answer.number());
  work.sent(answer.number());
}

// Runs client(run, i) for every connection, sharded over the workers as the file's comment says.
template <class Run, class Client>
void run_sharded(Run& run, std::size_t workers_wanted, Client client) {
  auto kept = std::make_shared<std::unique_ptr<share<Run>>>();  // each worker's own, after the fork
  processes::pool workers(workers_wanted, [&run, kept, client](std::string_view job) {
    processes::message_reader m(job);
    if (static_cast<step>(m.number()) == step::send) {
      const std::size_t first = m.number(), last = m.number();
      *kept = std::make_unique<share<Run>>(run, first, last, client);
      return (*kept)->send_all();
    }
    if (!*kept) throw std::logic_error("a worker was told to finish a share it was never given");
    return (*kept)->finish();
  });
  const std::size_t n = workers.size(), total = run.connections;
  workers.run([&]() -> processes::task<void> {
    std::vector<processes::task<std::string>> sends, finishes;
    for (std::size_t k = 0; k < n; ++k)
      sends.push_back(workers.submit(processes::message{}
                                         .put(static_cast<std::uint64_t>(step::send))
                                         .put(total * k / n)
                                         .put(total * (k + 1) / n)
                                         .take()));
    for (const auto& counts : co_await processes::gather(std::move(sends))) {
      processes::message_reader answer(counts);
      add_counts(*run.work, answer);
    }
    // Every request has gone: the tally has sampled the peak. Each idle worker takes one finish.
    for (std::size_t k = 0; k < n; ++k)
      finishes.push_back(workers.submit(
          processes::message{}.put(static_cast<std::uint64_t>(step::finish)).take()));
    for (const auto& bytes : co_await processes::gather(std::move(finishes))) {
      processes::message_reader answer(bytes);
      add_counts(*run.work, answer);
      for (std::size_t i = answer.number(); !answer.done(); ++i)
        take_replies(answer, run.replies.at(i));
    }
  });
}

}  // namespace

template <>
result workload::run(models::processes_model, const params& p, const models::config& config) {
  const std::size_t workers = processes_for(p.connections, config.worker_processes);
  return run_clients(
      p, [workers](client_run& run) { run_sharded(run, workers, long_poll<executor_type>); },
      workers);
}

template <>
readiness_result readiness_workload::run(models::processes_model, const readiness_params& p,
                                         const models::config& config) {
  const std::size_t workers = processes_for(p.connections, config.worker_processes);
  return run_exchanges(
      p, [workers](exchange_run& run) { run_sharded(run, workers, exchanges<executor_type>); },
      workers);
}

}  // namespace concur::connections
