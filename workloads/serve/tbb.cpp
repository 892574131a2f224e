// tbb: connections as tasks on the arena. The main thread only waits for readiness (epoll, each
// connection armed once at a time); when a connection has bytes, its turn (read what came, answer
// every complete request, arm it again) is a task enqueued on an arena of worker_threads, so no
// task ever blocks an arena thread waiting for a client.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "models/tbb.hpp"
#include "models/tbb_tsan.hpp"
#include "workloads/serve/protocol.hpp"
#include "workloads/serve/serve.hpp"

namespace concur::serve {
namespace {

// A connection between its turns: owned by whichever turn runs (epoll's data points at it).
struct connection {
  int fd;
  counted_connection counted;
  request_reader reader;
};

// One turn of a connection, on an arena thread: false when it is over (closed here).
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

// Arms the connection for its next turn; false when epoll refuses (it is then closed).
bool arm(int epoll, connection* c, int op) {
  epoll_event e{.events = EPOLLIN | EPOLLONESHOT | EPOLLRDHUP, .data = {.ptr = c}};
  if (::epoll_ctl(epoll, op, c->fd, &e) == 0) return true;
  ::close(c->fd);
  delete c;
  return false;
}

}  // namespace

template <>
void serve_site(models::tbb_model, const server_context& ctx) {
  const unsigned threads = std::max(1u, ctx.config.worker_threads);
  tbb_model::reserve_threads(threads);
  oneapi::tbb::global_control pool(oneapi::tbb::global_control::max_allowed_parallelism,
                                   threads + 1);
  // Every slot for a worker: the main thread never joins the arena.
  oneapi::tbb::task_arena arena(static_cast<int>(threads), 0);
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll < 0) throw std::system_error(errno, std::system_category(), "epoll_create1");
  epoll_event listening{.events = EPOLLIN, .data = {.ptr = nullptr}};
  ::epoll_ctl(epoll, EPOLL_CTL_ADD, ctx.listener, &listening);
  ctx.ready({});
  epoll_event events[256];
  for (;;) {
    const int n = ::epoll_wait(epoll, events, std::size(events), -1);
    for (int i = 0; i < n; ++i) {
      auto* c = static_cast<connection*>(events[i].data.ptr);
      if (!c) {
        const int fd = accept_connection(ctx.listener);
        arm(epoll, new connection{fd, counted_connection(ctx.counters), {}}, EPOLL_CTL_ADD);
        continue;
      }
      tbb_model::tsan_release(c);  // the reactor's hand-over, for ThreadSanitizer
      arena.enqueue([c, epoll, &ctx] {
        tbb_model::tsan_acquire(c);
        if (take_turn(*c, ctx.answers, ctx.counters)) {
          tbb_model::tsan_release(c);  // to the next turn's task, through epoll
          arm(epoll, c, EPOLL_CTL_MOD);
        } else {
          ::close(c->fd);
          delete c;
        }
      });
    }
  }
}

}  // namespace concur::serve
