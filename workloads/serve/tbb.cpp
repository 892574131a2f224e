// tbb: connections as tasks on the arena. The main thread waits for readiness (epoll); each
// connection that has bytes gets a task, its turn: read what came, answer every complete request.
// The main thread joins the arena (worker_threads in all) until the batch's turns are done, then
// waits again: a turn never waits for a client, so no task holds an arena thread idle.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include "models/tbb.hpp"
#include "workloads/serve/protocol.hpp"
#include "workloads/serve/serve.hpp"

namespace concur::serve {
namespace {

// A connection between its turns (epoll's data points at it); owned by the main thread, which
// closes it after a turn that ended it.
struct connection {
  int fd;
  counted_connection counted;
  request_reader reader;
};

// One turn of a connection, on an arena thread: false when it is over.
bool take_turn(connection& c, const site_answers& answers, server_counters& counters) {
  for (;;) {
    const ssize_t n = ::recv(c.fd, c.reader.space(), c.reader.space_size(), MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n <= 0) return false;
    c.reader.received(static_cast<std::size_t>(n));
    while (const auto a = c.reader.next(answers)) {
      // The answers are small and the client waits for them: a full send buffer is rare, and
      // then this send blocks the task briefly (the descriptor is blocking).
      const bool sent = send_all(c.fd, a->bytes);
      counters.answered.fetch_add(1, std::memory_order_relaxed);
      if (!sent || a->close) return false;
    }
  }
}

void watch(int epoll, int fd, void* data) {
  epoll_event e{.events = EPOLLIN, .data = {.ptr = data}};
  if (::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &e) != 0)
    throw std::system_error(errno, std::system_category(), "epoll_ctl");
}

}  // namespace

template <>
void serve_site(models::tbb_model, const server_context& ctx) {
  const unsigned threads = std::max(1u, ctx.config.worker_threads);
  tbb_model::reserve_threads(threads);
  oneapi::tbb::global_control pool(oneapi::tbb::global_control::max_allowed_parallelism, threads);
  oneapi::tbb::task_arena arena(static_cast<int>(threads));
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll < 0) throw std::system_error(errno, std::system_category(), "epoll_create1");
  watch(epoll, ctx.listener, nullptr);
  ctx.ready({});
  epoll_event events[256];
  std::vector<connection*> ready;
  std::vector<char> open;
  for (;;) {
    const int n = ::epoll_wait(epoll, events, std::size(events), -1);
    ready.clear();
    for (int i = 0; i < n; ++i) {
      if (auto* c = static_cast<connection*>(events[i].data.ptr)) {
        ready.push_back(c);
        continue;
      }
      const int fd = accept_connection(ctx.listener);
      auto* c = new connection{fd, counted_connection(ctx.counters), {}};
      watch(epoll, fd, c);
    }
    open.assign(ready.size(), 1);
    arena.execute([&] {
      tbb_model::task_group turns;
      for (std::size_t i = 0; i < ready.size(); ++i)
        turns.run([&, i] { open[i] = take_turn(*ready[i], ctx.answers, ctx.counters); });
      turns.wait();
    });
    for (std::size_t i = 0; i < ready.size(); ++i)
      if (!open[i]) {
        ::close(ready[i]->fd);  // which takes it out of epoll's set
        delete ready[i];
      }
  }
}

}  // namespace concur::serve
