#pragma once
// processes: prefork workers, shared-nothing, as Python's ProcessPoolExecutor (awaited from the
// loop with run_in_executor) and nginx's workers. A run forks its workers; each is a process of
// its own that takes one job at a time on its only thread (running a coroutine loop where the job
// has one). The parent's loop hands the jobs out and gathers the answers over a UNIX socket pair
// per worker, then ends the workers and reaps them inside the run: their CPU is the run's
// (RUSAGE_CHILDREN counts reaped children), and no zombie is left, whatever happened.
//
// The workers are forked from a process that may have other threads: a worker keeps to its one
// thread (ThreadSanitizer's die_after_fork kills a child that starts one), uses only what is safe
// after such a fork (system calls, glibc's malloc, its own fresh io_context; no stream or logger
// another thread may have held locked), and ends with _exit.
#include <sys/types.h>

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "models/loop.hpp"

namespace concur::processes {

using loop::gather;
using loop::task;

// What a worker does with one job: the job's bytes in, the answer's bytes out. It runs in the
// worker, after the fork; an exception it throws is carried back and rethrown by the parent's
// submit (resource_exhausted as itself, any other as std::runtime_error with its message).
using job_handler = std::function<std::string(std::string_view job)>;

// What submit throws when a job's handler threw: what() names the worker, job_message() is the
// handler's own message (as ProcessPoolExecutor re-raises the job's exception in the parent).
class job_failed : public std::runtime_error {
 public:
  job_failed(std::size_t worker, std::string message);
  const std::string& job_message() const { return message_; }

 private:
  std::string message_;
};

// In a job of a pool made with a cancel signal: waits up to `d` for that signal (sigtimedwait),
// true when it came. A job's way to be cancelled by its parent (pool::signal), as
// multiprocessing's Process.terminate() sends SIGTERM to a process that handles it.
bool wait_for_signal(int signal, std::chrono::nanoseconds d);

// The bytes of a job or an answer: numbers in host order (both ends are one machine), strings
// with their length before them.
class message {
 public:
  message& put(std::uint64_t n);
  message& put(std::string_view s);
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

// Reads a message back in the order it was put; a read past its end throws std::runtime_error.
class message_reader {
 public:
  explicit message_reader(std::string_view bytes) : rest_(bytes) {}
  std::uint64_t number();
  std::string_view text();
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

class pool {
 public:
  // Forks `workers` processes, each waiting for jobs for `handler`. When the OS refuses a fork
  // (RLIMIT_NPROC, kernel.threads-max, memory) or a socket, throws resource_exhausted naming the
  // worker and the limits, once the workers already forked have been ended and reaped.
  pool(std::size_t workers, job_handler handler);
  // The same, with `cancel_signal` kept blocked in every worker for its whole life: sent to a
  // worker (signal) it never kills it, it waits pending until a job takes it (wait_for_signal).
  // One sent after its job ended waits for that worker's next job.
  pool(std::size_t workers, job_handler handler, int cancel_signal);
  // Kills (SIGKILL) and reaps every worker still there: a run that failed leaves no process.
  ~pool();
  pool(const pool&) = delete;
  pool& operator=(const pool&) = delete;

  std::size_t size() const;
  std::vector<pid_t> pids() const;
  // Sends `sig` to worker `index` (from 0, as pids()) unless it has been reaped: false then.
  bool signal(std::size_t index, int sig);

  // asyncio.run on the parent's loop: runs the coroutine make_main() returns, which hands out
  // jobs with submit; then ends the workers (end of file on their sockets), reaps them, and
  // throws std::runtime_error naming any that did not exit cleanly. Returns main's value.
  template <class F>
  auto run(F make_main) {
    using T = typename std::invoke_result_t<F&>::value_type;
    if constexpr (std::is_void_v<T>) {
      loop::run(ctx_, std::move(make_main));
      close();
    } else {
      auto out = loop::run(ctx_, std::move(make_main));
      close();
      return out;
    }
  }

  // loop.run_until_complete: runs the coroutine make_main() returns on the parent's loop and
  // returns its value, keeping the workers for the next (a driver that hands out its work in
  // rounds, as a crawl its levels). end() or the destructor ends them.
  template <class F>
  auto run_until_complete(F make_main) {
    return loop::run(ctx_, std::move(make_main));
  }
  // What run() does after its main, for a pool driven by run_until_complete: ends the workers,
  // reaps them, and throws std::runtime_error naming any that did not exit cleanly. Once.
  void end() { close(); }

  // loop.run_in_executor(process_pool, fn, job): waits for an idle worker, sends it the job and
  // awaits its answer; the loop runs other tasks meanwhile. A worker that dies before answering
  // (a signal, an exit, a short answer) is reaped, and std::runtime_error names it and how it
  // ended; the other workers go on.
  task<std::string> submit(std::string job);

 private:
  struct worker;
  void fork_worker(std::size_t wanted);
  worker* idle_worker();
  std::size_t live_workers() const;
  // Reaps a worker that failed (killing it first, in case it still runs) and says how it ended.
  std::string bury(worker& w);
  void close();
  void end_workers() noexcept;  // kills (SIGKILL) and reaps every worker not yet reaped

  loop::asio::io_context ctx_{1};
  job_handler handler_;
  int cancel_signal_ = 0;  // blocked in the workers; 0: none
  std::vector<std::unique_ptr<worker>> workers_;
  loop::steady_timer freed_;  // cancelled whenever a worker goes idle or dies: wakes submitters
};

// The workers' peak-RSS growth, which the parent's own does not see: each worker measures its own
// from its fork (VmHWM reset, peak_rss_probe::after_fork) and sends it with every answer; a run
// that ends cleanly records the sum over its workers. The harness resets this where it starts its
// parent's probe, and adds the largest sum since (a cell's runs each fork anew) to the parent's.
struct workers_memory {
  bool ran = false;                         // a pool ended cleanly since the reset
  std::optional<std::int64_t> peak_growth;  // none when a worker could not reset its mark
};
void reset_workers_memory();
workers_memory workers_memory_since_reset();

}  // namespace concur::processes
