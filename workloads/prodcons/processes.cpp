// processes: every producer and every consumer a worker process of its own
// (multiprocessing.Process) around a bounded queue in shared memory
// (multiprocessing.Queue(maxsize=K): models/processes_queue.hpp), mapped before the fork. A
// producer puts its N items and answers how many it put; a consumer takes items until it gets an
// end mark and answers with what it took. The parent's loop hands out the P + C jobs, awaits the
// producers, puts one end mark per consumer (q.put(None) each), and gathers what the consumers
// took. When a job fails (its worker died, or the queue broke under it) the parent breaks the
// queue, so that no other worker waits forever for items or room that will never come: the run ends
// with the first failure's message.
#include <chrono>

#include "models/processes.hpp"
#include "models/processes_queue.hpp"
#include "workloads/prodcons/prodcons.hpp"

namespace concur::prodcons {
namespace {

enum role : std::uint64_t { producer, consumer };

// In a worker: the job's part, producer `who` or a consumer, on the shared queue.
std::string work(processes::shared_queue& queue, const params& p, std::string_view job) {
  processes::message_reader read(job);
  processes::message answer;
  if (read.number() == producer) {
    const auto who = read.number();
    for (std::size_t j = 0; j < p.items_per_producer; ++j) queue.put(item_of(who, j));
    return answer.put(p.items_per_producer).take();
  }
  while (auto item = queue.get()) answer.put(*item);
  return answer.take();
}

// The parent's side: hands out the jobs and gathers the answers.
struct in_parent {
  processes::pool& workers;
  processes::shared_queue& queue;
  const params& p;
  std::vector<std::uint64_t> consumed;
  std::size_t produced = 0, consumers_done = 0;

  // A job's answer; a failed job breaks the queue before its error goes on.
  processes::task<processes::message_reader> job(std::string bytes, std::string& answer) {
    try {
      answer = co_await workers.submit(std::move(bytes));
    } catch (const std::exception& e) {
      queue.abandon(e.what());
      throw;
    }
    co_return processes::message_reader(answer);
  }

  processes::task<std::size_t> produce(std::size_t who) {
    std::string bytes;
    auto answer = co_await job(processes::message{}.put(producer).put(who).take(), bytes);
    produced += answer.number();
    co_return who;
  }

  // The producers, then q.put(None) once per consumer. The parent's loop must not block on a
  // full queue (it learns that a worker died by reading the answers), so it retries a moment later.
  processes::task<std::size_t> produce_then_stop() {
    std::vector<processes::task<std::size_t>> producers;
    for (std::size_t who = 0; who < p.producers; ++who) producers.push_back(produce(who));
    co_await processes::gather(std::move(producers));
    for (std::size_t stopped = 0; stopped < p.consumers;) {
      if (queue.try_put_end())
        ++stopped;
      else
        co_await loop::sleep_for(std::chrono::microseconds(100));
    }
    co_return 0;
  }

  processes::task<std::size_t> consume() {
    std::string bytes;
    auto answer = co_await job(processes::message{}.put(consumer).take(), bytes);
    while (!answer.done()) consumed.push_back(answer.number());
    ++consumers_done;
    co_return 0;
  }

  processes::task<result> run() {
    std::vector<processes::task<std::size_t>> tasks;
    tasks.push_back(produce_then_stop());
    for (std::size_t c = 0; c < p.consumers; ++c) tasks.push_back(consume());
    co_await processes::gather(std::move(tasks));
    const bool clean = consumers_done == p.consumers && queue.size() == 0;
    co_return make_result(std::move(consumed), produced, queue.high_water(), p, clean);
  }
};

}  // namespace

// One worker per producer and per consumer, whatever --worker-processes says: each blocks on the
// queue for the whole run, so fewer workers than parts would never finish.
template <>
result workload::run(models::processes_model, const params& p, const models::config&) {
  processes::shared_queue queue(p.capacity);  // mapped before the fork: every worker shares it
  processes::pool workers(p.producers + p.consumers,
                          [&](std::string_view job) { return work(queue, p, job); });
  in_parent parent{.workers = workers, .queue = queue, .p = p};
  return workers.run([&] { return parent.run(); });
}

}  // namespace concur::prodcons
