// concur-server: one model's site server, started by the serve workload (server_process.cpp) in
// a process of its own on a listener the bench made, so that its CPU and memory are its own and
// nothing of the bench's (its threads, TBB's state) is inherited, as a fork would. It prints
// "ready PID..." on its standard output once it accepts, and serves until it is killed.
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>

#include "workloads/http/site.hpp"
#include "workloads/serve/protocol.hpp"
#include "workloads/serve/serve.hpp"

namespace {

using namespace concur;

// --name value pairs, every one required.
std::map<std::string, std::string> read_options(int argc, char** argv) {
  std::map<std::string, std::string> out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    if (!name.starts_with("--")) throw std::invalid_argument("unexpected argument " + name);
    out[name.substr(2)] = argv[i + 1];
  }
  if (argc % 2 == 0) throw std::invalid_argument("an option without its value");
  return out;
}

unsigned long number(const std::map<std::string, std::string>& o, const std::string& name) {
  const auto it = o.find(name);
  if (it == o.end()) throw std::invalid_argument("missing --" + name);
  return std::stoul(it->second);
}

serve::server_counters& map_counters(int fd) {
  void* p =
      ::mmap(nullptr, sizeof(serve::server_counters), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) throw std::runtime_error("cannot map the counters");
  ::close(fd);
  return *static_cast<serve::server_counters*>(p);
}

void say_ready(const std::vector<pid_t>& workers) {
  std::string line = "ready " + std::to_string(::getpid());
  for (const pid_t w : workers) line += " " + std::to_string(w);
  line += "\n";
  if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    ::_exit(1);  // the bench is gone
}

}  // namespace

int main(int argc, char** argv) {
  try {
    ::signal(SIGPIPE, SIG_IGN);
    const auto o = read_options(argc, argv);
    const http::site_spec spec{.pages = number(o, "pages"),
                               .fanout = number(o, "fanout"),
                               .seed = number(o, "seed"),
                               .body_bytes = number(o, "body")};
    const http::site site(spec, "127.0.0.1", 0);
    const serve::site_answers answers(site);
    const serve::server_context ctx{
        .listener = static_cast<int>(number(o, "listener")),
        .port = static_cast<std::uint16_t>(number(o, "port")),
        .answers = answers,
        .counters = map_counters(static_cast<int>(number(o, "counters"))),
        .config = {.pool_threads = static_cast<unsigned>(number(o, "pool-threads")),
                   .worker_threads = static_cast<unsigned>(number(o, "worker-threads")),
                   .worker_processes = static_cast<unsigned>(number(o, "worker-processes"))},
        .ready = say_ready};
    serve::serve_with(o.at("model"), ctx);
  } catch (const std::invalid_argument& e) {  // a usage error, models::unknown_model too
    std::fprintf(stderr, "concur-server: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "concur-server: %s\n", e.what());
    return 1;
  }
  return 0;
}
