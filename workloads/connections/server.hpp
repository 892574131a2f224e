#pragma once
// The long-poll servers, each in processes of its own so that the client's memory and CPU are
// its own: the embedded Beast server (server.cpp, Asio coroutines on one thread, in forked
// children) and nginx with the echo module (echo_sleep). Both answer GET /c/<i> after holding it
// for d with "connection <i>\n" and close; both listen on max_addresses loopback addresses.
// Either runs as k processes (k > 1 when one process's descriptors cannot hold the connections),
// each with its own listener on every address and port (SO_REUSEPORT: the kernel deals the
// connections among them); their CPU and memory are summed.
#include <netinet/in.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "workloads/connections/connections.hpp"

namespace concur::connections {

// 127.0.0.1 ... 127.0.0.<max_addresses>: a run spreads its N connections over as many as it
// needs (addresses_for).
inline constexpr std::size_t max_addresses = 32;

class server {
 public:
  virtual ~server() = default;
  // One endpoint per loopback address, 127.0.0.1 first.
  virtual const std::vector<sockaddr_in>& endpoints() const = 0;
  // The processes serving (nginx's master too), their CPU and resident memory summed.
  virtual std::vector<pid_t> pids() const = 0;
  double cpu_seconds() const;
  long long resident_bytes() const;
  virtual bool alive() const = 0;

  // At a run's start: resets the processes' peak-RSS marks (VmHWM). The first call also records
  // their resident memory, idle: the baseline of every run's peak, so that what an allocator
  // kept from an earlier run (nginx's) is not taken for memory the server did not need.
  void start_peaks();
  // The processes' peak RSS since start_peaks, summed, less that baseline (0 when a mark could
  // not be reset: a peak from before the run would be no figure of it).
  long long peak_growth() const;

 private:
  std::optional<long long> idle_bytes_;
  bool reset_ = false;
};

// The server of this kind holding requests for `hold` in `processes` processes, started at first
// use and kept for the process (started again if it died). Start it from a thread that lives as
// long as the process (it dies with the thread that started it, as net::nginx_server says).
server& shared_server(server_kind kind, std::chrono::milliseconds hold, std::size_t processes = 1);

// Why the nginx cases cannot run here (nginx or its echo module missing); empty when they can.
std::string nginx_unavailable();

// The addresses N connections are spread over: enough that no listener's accept queue
// (net.core.somaxconn) would overflow even if the server accepted none before the last connect,
// which also keeps each address pair far below its ~28k ephemeral ports.
std::size_t addresses_for(std::size_t connections);

}  // namespace concur::connections
