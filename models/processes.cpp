#include "models/processes.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include "core/environment.hpp"
#include "core/fork.hpp"
#include "core/memory.hpp"
#include "core/workload.hpp"

namespace concur::processes {
namespace {

namespace asio = boost::asio;
using socket_type = asio::basic_stream_socket<asio::local::stream_protocol, loop::executor_type>;

// How a worker's answer begins: what became of the job.
enum class outcome : std::uint64_t { answered, failed, refused };

// Anything larger is not an answer of ours: a worker that wrote garbage.
constexpr std::uint64_t max_message = std::uint64_t{1} << 36;

// ---- The worker's side: blocking system calls on its one thread ----

bool read_exact(int fd, char* to, std::size_t n) {
  while (n > 0) {
    const ssize_t got = ::read(fd, to, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    to += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// A message with its length before it: what goes over a worker's socket either way.
std::string framed(std::string payload) {
  const std::uint64_t size = payload.size();
  std::string out(sizeof size, '\0');
  std::memcpy(out.data(), &size, sizeof size);
  return out += payload;
}

// The next job, or nullopt at the end of file (the parent has no more work, or has gone).
std::optional<std::string> next_job(int fd) {
  std::uint64_t size = 0;
  if (!read_exact(fd, reinterpret_cast<char*>(&size), sizeof size) || size > max_message)
    return std::nullopt;
  std::string job(size, '\0');
  if (!read_exact(fd, job.data(), job.size())) return std::nullopt;
  return job;
}

std::string answer(const job_handler& handler, std::string_view job, const peak_rss_probe& memory) {
  outcome how = outcome::answered;
  std::string body;
  try {
    body = handler(job);
  } catch (const resource_exhausted& e) {
    how = outcome::refused;
    body = e.what();
  } catch (const std::exception& e) {
    how = outcome::failed;
    body = e.what();
  }
  const auto growth = memory.growth();
  return framed(message{}
                    .put(static_cast<std::uint64_t>(how))
                    .put(static_cast<std::uint64_t>(growth ? *growth : -1))
                    .put(body)
                    .take());
}

// In the forked worker, before anything else: no handler of the parent's runs here, the worker
// dies with the thread that forked it (so a parent killed leaves no worker behind), and it holds
// no socket of another worker's (a socket the parent closes must really close, or that worker
// would wait for jobs forever). Other descriptors stay: a job may name one the parent opened
// (dirsearch's directories). Signals stay blocked until here, `keep_blocked` (a pool's cancel
// signal, 0 for none) for good: it must never find the worker unprepared.
void become_worker(pid_t parent, const std::vector<int>& others, int keep_blocked) {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(1);
  for (const int fd : others) ::close(fd);
  sigset_t mask;
  ::sigemptyset(&mask);
  if (keep_blocked != 0) ::sigaddset(&mask, keep_blocked);
  ::sigprocmask(SIG_SETMASK, &mask, nullptr);
}

// The worker's whole life: a job, its answer, until the parent closes its end.
[[noreturn]] void serve_jobs(int fd, const job_handler& handler) {
  int status = 0;
  try {
    const auto memory = peak_rss_probe::after_fork();
    while (auto job = next_job(fd)) {
      if (!write_all(fd, answer(handler, *job, memory))) {
        status = 1;  // the parent has gone
        break;
      }
    }
  } catch (...) {
    status = 2;  // no answer could be made (memory): the parent sees a short answer
  }
  ::_exit(status);
}

// What refused worker `number` of `wanted`, and the limits that may have: a socket pair counts
// against the descriptors, a fork against the processes.
std::string fork_refused(std::size_t number, std::size_t wanted, std::string_view what, int error) {
  const auto limits =
      what == "fork"
          ? fmt::format("ulimit -u {}, kernel.threads-max {}, kernel.pid_max {}",
                        rlimit_value(RLIMIT_NPROC), proc_value("/proc/sys/kernel/threads-max"),
                        proc_value("/proc/sys/kernel/pid_max"))
          : fmt::format("ulimit -n {}", rlimit_value(RLIMIT_NOFILE));
  return fmt::format("the OS refused worker process {} of {} ({}: {}); limits: {}", number, wanted,
                     what, std::system_category().message(error), limits);
}

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status))
    return fmt::format("was killed by signal {} ({})", WTERMSIG(status),
                       ::sigdescr_np(WTERMSIG(status)) ? ::sigdescr_np(WTERMSIG(status)) : "?");
  return fmt::format("exited with status {}", WEXITSTATUS(status));
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return 0;  // not ours to wait for any more: nothing to say
  return status;
}

std::mutex memory_mutex;
workers_memory memory_since_reset;

void record_workers_memory(std::optional<std::int64_t> sum) {
  const std::scoped_lock lock(memory_mutex);
  auto& m = memory_since_reset;
  if (!m.ran)
    m.peak_growth = sum;
  else if (m.peak_growth)
    m.peak_growth = sum ? std::optional(std::max(*m.peak_growth, *sum)) : std::nullopt;
  m.ran = true;
}

}  // namespace

job_failed::job_failed(std::size_t worker, std::string message)
    : std::runtime_error(fmt::format("processes: worker {}: {}", worker, message)),
      message_(std::move(message)) {}

bool wait_for_signal(int signal, std::chrono::nanoseconds d) {
  sigset_t one;
  ::sigemptyset(&one);
  ::sigaddset(&one, signal);
  const auto until = std::chrono::steady_clock::now() + d;
  while (true) {  // again after an interruption by a handled signal (EINTR), for what is left
    const auto left = std::max<std::chrono::nanoseconds>(until - std::chrono::steady_clock::now(),
                                                         std::chrono::nanoseconds(0));
    const auto s = std::chrono::floor<std::chrono::seconds>(left);
    const timespec limit{.tv_sec = static_cast<time_t>(s.count()),
                         .tv_nsec = static_cast<long>((left - s).count())};
    if (::sigtimedwait(&one, nullptr, &limit) == signal) return true;
    if (errno != EINTR) return false;  // EAGAIN: the time is up
  }
}

message& message::put(std::uint64_t n) {
  bytes_.append(reinterpret_cast<const char*>(&n), sizeof n);
  return *this;
}

message& message::put(std::string_view s) {
  put(static_cast<std::uint64_t>(s.size()));
  bytes_.append(s);
  return *this;
}

std::uint64_t message_reader::number() {
  std::uint64_t n = 0;
  if (rest_.size() < sizeof n) throw std::runtime_error("processes: a message ended short");
  std::memcpy(&n, rest_.data(), sizeof n);
  rest_.remove_prefix(sizeof n);
  return n;
}

std::string_view message_reader::text() {
  const auto size = number();
  if (rest_.size() < size) throw std::runtime_error("processes: a message ended short");
  const auto s = rest_.substr(0, size);
  rest_.remove_prefix(size);
  return s;
}

struct pool::worker {
  std::size_t number;  // from 1, as messages name it
  pid_t pid;
  socket_type socket;
  bool busy = false;
  bool reaped = false;
  std::optional<std::int64_t> peak_growth = 0;  // as its last answer said; none: unknown
};

pool::pool(std::size_t workers, job_handler handler, int cancel_signal)
    : handler_(std::move(handler)),
      cancel_signal_(cancel_signal),
      freed_(ctx_, loop::steady_timer::time_point::max()) {
  workers_.reserve(workers);
  try {
    const fork_gate::parked quiet;  // one round for all the forks
    while (workers_.size() < workers) fork_worker(workers);
  } catch (...) {
    end_workers();  // a constructor that throws runs no destructor
    throw;
  }
}

pool::pool(std::size_t workers, job_handler handler) : pool(workers, std::move(handler), 0) {}

void pool::fork_worker(std::size_t wanted) {
  const std::size_t number = workers_.size() + 1;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    const int error = errno;
    if (error == EMFILE || error == ENFILE || error == ENOMEM)
      throw resource_exhausted(fork_refused(number, wanted, "socketpair", error));
    throw std::system_error(error, std::system_category(), "socketpair");
  }
  std::vector<int> others;
  for (const auto& w : workers_) others.push_back(w->socket.native_handle());
  const pid_t pid = fork_with_signals_blocked([&](pid_t parent) {
    ::close(fds[0]);
    become_worker(parent, others, cancel_signal_);
    serve_jobs(fds[1], handler_);
  });
  const int fork_error = errno;
  ::close(fds[1]);
  if (pid < 0) {
    ::close(fds[0]);
    if (fork_error == EAGAIN || fork_error == ENOMEM)
      throw resource_exhausted(fork_refused(number, wanted, "fork", fork_error));
    throw std::system_error(fork_error, std::system_category(), "fork");
  }
  auto w = std::make_unique<worker>(
      worker{.number = number, .pid = pid, .socket = socket_type(ctx_.get_executor())});
  workers_.push_back(std::move(w));
  boost::system::error_code adopted;
  workers_.back()->socket.assign(asio::local::stream_protocol(), fds[0], adopted);
  if (adopted) {
    ::close(fds[0]);
    throw boost::system::system_error(adopted, "adopting a worker's socket");
  }
}

pool::~pool() {
  end_workers();
}

void pool::end_workers() noexcept {
  for (auto& w : workers_) {
    if (w->reaped) continue;
    ::kill(w->pid, SIGKILL);
    wait_for(w->pid);
    w->reaped = true;
  }
}

bool pool::signal(std::size_t index, int sig) {
  auto& w = *workers_.at(index);
  return !w.reaped && ::kill(w.pid, sig) == 0;
}

std::size_t pool::size() const {
  return workers_.size();
}

std::vector<pid_t> pool::pids() const {
  std::vector<pid_t> out;
  for (const auto& w : workers_) out.push_back(w->pid);
  return out;
}

pool::worker* pool::idle_worker() {
  for (auto& w : workers_)
    if (!w->busy && !w->reaped) return w.get();
  return nullptr;
}

std::size_t pool::live_workers() const {
  return static_cast<std::size_t>(
      std::count_if(workers_.begin(), workers_.end(), [](const auto& w) { return !w->reaped; }));
}

std::string pool::bury(worker& w) {
  boost::system::error_code ignored;
  w.socket.close(ignored);
  ::kill(w.pid, SIGKILL);  // in case it still runs; one that has exited keeps its own status
  const int status = wait_for(w.pid);
  w.reaped = true;
  freed_.cancel();  // submitters waiting for a worker look again: there may be none left
  return fmt::format("worker {} of {} (pid {}) {}", w.number, workers_.size(), w.pid,
                     how_it_ended(status));
}

task<std::string> pool::submit(std::string job) {
  worker* w = nullptr;
  while (!(w = idle_worker())) {
    if (live_workers() == 0)
      throw std::runtime_error("processes: every worker has died; no worker is left for a job");
    co_await freed_.async_wait(asio::as_tuple(loop::use_task));
  }
  w->busy = true;
  const std::string request = framed(std::move(job));
  auto [sent, sent_bytes] =
      co_await asio::async_write(w->socket, asio::buffer(request), asio::as_tuple(loop::use_task));
  std::uint64_t size = 0;
  boost::system::error_code failed = sent;
  if (!failed) {
    auto [got, got_bytes] = co_await asio::async_read(w->socket, asio::buffer(&size, sizeof size),
                                                      asio::as_tuple(loop::use_task));
    failed = got;
  }
  std::string reply;
  if (!failed && size <= max_message) {
    reply.resize(size);
    auto [got, got_bytes] =
        co_await asio::async_read(w->socket, asio::buffer(reply), asio::as_tuple(loop::use_task));
    failed = got;
  }
  if (failed || size > max_message)
    throw std::runtime_error(
        fmt::format("processes: {} before answering its job ({})", bury(*w),
                    failed ? failed.message() : "an answer too large to be one"));
  w->busy = false;
  freed_.cancel();
  message_reader answer(reply);
  const auto how = static_cast<outcome>(answer.number());
  const auto growth = static_cast<std::int64_t>(answer.number());
  w->peak_growth = growth >= 0 ? std::optional(growth) : std::nullopt;
  const auto body = answer.text();
  if (how == outcome::refused)
    throw resource_exhausted(fmt::format("worker {}: {}", w->number, body));
  if (how != outcome::answered) throw job_failed(w->number, std::string(body));
  co_return std::string(body);
}

void pool::close() {
  // End of file on every socket first, so the workers exit together; then reap them.
  for (auto& w : workers_) {
    boost::system::error_code ignored;
    w->socket.close(ignored);
  }
  std::string problems;
  std::optional<std::int64_t> memory = 0;
  for (auto& w : workers_) {
    if (w->reaped) continue;
    const int status = wait_for(w->pid);
    w->reaped = true;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      problems += fmt::format("{}processes: worker {} of {} (pid {}) {} at the end of its jobs",
                              problems.empty() ? "" : "; ", w->number, workers_.size(), w->pid,
                              how_it_ended(status));
    memory = memory && w->peak_growth ? std::optional(*memory + *w->peak_growth) : std::nullopt;
  }
  if (!problems.empty()) throw std::runtime_error(problems);
  record_workers_memory(memory);
}

void reset_workers_memory() {
  const std::scoped_lock lock(memory_mutex);
  memory_since_reset = {};
}

workers_memory workers_memory_since_reset() {
  const std::scoped_lock lock(memory_mutex);
  return memory_since_reset;
}

}  // namespace concur::processes
