#pragma once
// The bench's side of a model's server: concur-server (server/main.cpp) started in a process of
// its own on a listener made here, so that connections queue from the start and its CPU and
// memory are its own; and nginx serving the site's export, the peer. Each is started at first
// use and kept for the process (started again when it has ended): the cells of every C meet the
// same server.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "models/models.hpp"
#include "workloads/http/site.hpp"
#include "workloads/serve/serve.hpp"

namespace concur::serve {

class site_server {
 public:
  virtual ~site_server() = default;
  virtual std::uint16_t port() const = 0;
  // The processes serving (a prefork server's workers too; nginx's master and worker).
  virtual std::vector<pid_t> pids() const = 0;
  // Why the server no longer serves ("exited with status 1", "killed by signal 11"); empty
  // while it runs.
  virtual std::string ended() const = 0;
  // What it has counted so far: the connections it took on and the answers it sent (each
  // reading of nginx's counts is a connection and a request of its own, which are left out).
  struct counts {
    std::uint64_t accepted = 0, answered = 0;
  };
  virtual counts served() const = 0;

  // Their CPU (s) and resident memory (bytes) summed.
  double cpu_seconds() const;
  long long resident_bytes() const;
  // Resets their peak-RSS marks (VmHWM); whether every mark could be reset.
  bool reset_peaks() const;
  long long peak_bytes() const;
};

// What every cell does against its server, a model's or nginx (`who` names it in errors): every
// page fetched and read (the result: a page left unanswered ends the pass there), then the load
// and what it measured. Throws when the server ended during the load, or wrk completed nothing or
// got answers that were not 2xx or 3xx.
result measure(const site_server& server, const params& p, std::string_view who);

// A server program started as concur-server is, with the command line `argv(listener, port,
// counters)` gives (descriptors it inherits: the listener made here, and a memfd it maps as
// server_counters), awaited until it prints "ready PID..."; started at first use under `key` and
// kept, started again when it has ended. How the course's Python servers run.
using server_command =
    std::function<std::vector<std::string>(int listener, std::uint16_t port, int counters)>;
site_server& spawned_server(const std::string& key, const server_command& argv);

// The model's server for this site with these settings.
site_server& model_server(std::string_view model, const http::site_spec& spec,
                          const models::config& config);

// nginx serving this site's export: one worker, room for the largest C.
site_server& nginx_server(const http::site_spec& spec);

// Why nginx cannot serve here (not installed); empty when it can.
std::string nginx_unavailable();

// The concur-server program (CONCUR_SERVER in the environment, else the build's).
std::string server_program();

}  // namespace concur::serve
