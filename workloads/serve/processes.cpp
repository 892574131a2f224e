// processes: prefork. worker_processes worker processes, shared-nothing, each with a listener of
// its own on the one port (SO_REUSEPORT: the kernel deals the connections among them) and the
// coroutines server on a loop of its own; the first keeps the listener the bench made. The
// master only watches them: when one ends, it ends, so that the bench sees the server gone.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <system_error>
#include <vector>

#include "core/fork.hpp"
#include "workloads/serve/loop_session.hpp"
#include "workloads/serve/serve.hpp"

namespace concur::serve {
namespace {

// Another listener on 127.0.0.1:port in the port's SO_REUSEPORT group.
int listen_again(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(fd, 65535) != 0)
    throw std::system_error(errno, std::system_category(), "a worker's listener");
  return fd;
}

[[noreturn]] void worker(int listener, const server_context& ctx) {
  try {
    boost::asio::io_context loop(1);
    boost::asio::co_spawn(loop,
                          accept_sessions(net::loop_acceptor(loop, net::tcp::v4(), listener),
                                          answer_here(ctx.answers), ctx.counters,
                                          [&] { return loop.get_executor(); }),
                          boost::asio::detached);
    loop.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "concur-server worker: %s\n", e.what());
  }
  ::_exit(1);
}

}  // namespace

template <>
void serve_site(models::processes_model, const server_context& ctx) {
  std::vector<pid_t> workers;
  for (unsigned i = 0; i < std::max(1u, ctx.config.worker_processes); ++i) {
    const pid_t pid = fork_with_signals_blocked([&](pid_t master) {
      if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != master) ::_exit(1);
      sigset_t none;
      ::sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      worker(i == 0 ? ctx.listener : listen_again(ctx.port), ctx);
    });
    if (pid < 0) throw std::system_error(errno, std::system_category(), "fork");
    workers.push_back(pid);
  }
  ::close(ctx.listener);  // the first worker's now
  ctx.ready(workers);
  int status = 0;
  const pid_t ended = ::wait(&status);
  throw std::runtime_error(fmt::format("worker {} ended ({})", ended,
                                       WIFSIGNALED(status)
                                           ? fmt::format("signal {}", WTERMSIG(status))
                                           : fmt::format("status {}", WEXITSTATUS(status))));
}

}  // namespace concur::serve
