#pragma once
// C10k to C100k: N clients each open a connection, send one request (GET /c/<i>) and wait for the
// reply, which the server holds for `d` (a long-poll): every connection is open and idle at once.
// The answer is every reply in the order of the client's index, with its body; parity: the
// connections opened and closed. Beside it the run measures what holding N connections cost: the
// client's CPU, the kernel's socket memory, the limits reached (the client's memory is the
// harness's peak-RSS growth: the servers run in processes of their own, server.hpp).
#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/workload.hpp"
#include "models/models.hpp"

namespace concur::connections {

enum class server_kind { embedded, nginx };

struct params {
  std::size_t connections;         // N
  std::chrono::milliseconds hold;  // d: how long the server holds each request
  server_kind server = server_kind::embedded;
};

struct reply {
  int status = 0;    // 0: no reply (body then says why)
  std::string body;  // "connection <i>\n" for client i
  bool operator==(const reply&) const = default;
};

// What a run measured beside its answer; not compared.
struct measures {
  double client_cpu_seconds = 0;  // this process over the run (the server is another process)
  double server_cpu_seconds = 0;
  std::size_t open_at_peak = 0;    // connections open when the last request had been sent
  double socket_memory_bytes = 0;  // /proc/net/sockstat TCP "mem" growth at that moment
  double slab_bytes = 0;           // /proc/meminfo Slab growth at that moment (both ends)
  double descriptor_limit = 0;     // RLIMIT_NOFILE the run had (each process)
  std::size_t addresses = 0;       // loopback addresses the connections were spread over
  double listen_overflows = 0;     // the kernel's ListenOverflows over the run (system-wide)
  double server_memory_bytes = 0;  // the server processes' peak RSS over their idle RSS, summed
  std::size_t client_processes = 1;
  std::size_t server_processes = 1;
};

struct result {
  std::vector<reply> replies;  // replies[i] is client i's
  std::size_t opened = 0;      // work parity: connections opened
  std::size_t closed = 0;      // and closed
  measures measured;
  bool operator==(const result& o) const {
    return replies == o.replies && opened == o.opened && closed == o.closed;
  }
};

// The body the server answers client i with.
std::string body_of(std::size_t i);

// Counts a run's connections from any thread, and samples the kernel's socket memory once, when
// the last request has been sent: then every connection is open (unless opening them took
// longer than d).
// A count above one adds what another process counted (a worker of the processes model, for its
// share), as if counted here. A tally of 0 connections (a worker's) samples nothing.
class tally {
 public:
  explicit tally(std::size_t connections) : connections_(connections) {}
  void opened(std::size_t count = 1) { opened_ += count; }
  void closed(std::size_t count = 1) { closed_ += count; }
  void sent(std::size_t count = 1);

  std::size_t opened_count() const { return opened_; }
  std::size_t closed_count() const { return closed_; }
  std::size_t sent_count() const { return sent_; }
  struct peak {
    std::size_t open = 0;
    long socket_pages = 0;
    long long slab_bytes = 0;
  };
  const std::optional<peak>& at_peak() const { return peak_; }

 private:
  std::size_t connections_;
  std::atomic<std::size_t> opened_{0}, closed_{0}, sent_{0};
  std::optional<peak> peak_;  // written once, by the thread that sent the last request
};

// The counter both workloads rank or cost connections on.
inline constexpr std::string_view client_cpu_us_per_conn = "client_cpu_us_per_conn";

// What a run of either workload gives its clients: where connection i connects, the run's
// deadline (a server that never answers does not hang it) and its tally.
// A worker of the processes model runs a share of the whole: its connection i is the whole run's
// connection first + i, of `whole`.
struct connection_run {
  std::vector<sockaddr_in> endpoints;  // the server's addresses in use (127.0.0.x)
  std::size_t connections = 0;
  std::chrono::steady_clock::time_point deadline;
  tally* work = nullptr;
  std::size_t client_processes = 1;  // the processes the connections are sharded over
  std::size_t first = 0;             // a share's first connection in the whole run
  std::size_t whole = 0;             // the whole run's connections; 0: this run is whole

  std::size_t index(std::size_t i) const { return first + i; }
  std::size_t whole_connections() const { return whole ? whole : connections; }
  const sockaddr_in& endpoint_of(std::size_t i) const {
    return endpoints[index(i) % endpoints.size()];
  }
  // Why connection i failed, as its reply's body. A descriptor or a local port the OS refused
  // (EMFILE, ENFILE, EADDRNOTAVAIL) is a limit, not an answer: that throws resource_exhausted.
  std::string failure(std::size_t i, int error, std::string_view during) const;
};

// The long-poll's run: one request per client, one reply.
struct client_run : connection_run {
  std::vector<reply> replies;

  // Writes client i's request into `out` (at least request_capacity bytes); returns its length.
  static constexpr std::size_t request_capacity = 96;
  std::size_t request(std::size_t i, char* out) const;
  // Records that client i got no reply, and why (see failure).
  void failed(std::size_t i, int error, std::string_view during) {
    replies[i] = {0, failure(i, error, during)};
  }
};

// The frame of a run of either workload: checks the descriptors its connections need, starts (or
// reuses) the server, spreads the connections over its addresses (run.endpoints), sets
// run.deadline to `allowance` (plus 50 µs per connection) from now and run.work, and measures
// around `clients`, which must return once every connection is closed.
struct framed {
  std::size_t opened = 0;
  std::size_t closed = 0;
  measures measured;
};
framed run_framed(connection_run& run, server_kind kind, std::chrono::milliseconds hold,
                  std::chrono::milliseconds allowance, const std::function<void()>& clients);

// The figures a run measured, per connection where it says so.
concur::metrics metrics_of(const measures& m, std::size_t connections);

// How a reply reads in a diff: `200 "connection 3\n"`, or `no reply (why)`.
std::string describe(const reply& r);

// Parses a reply from the bytes as they arrive (Beast's parser; the body kept).
class reply_reader {
 public:
  reply_reader();
  ~reply_reader();
  reply_reader(reply_reader&&) noexcept;
  reply_reader& operator=(reply_reader&&) noexcept;
  // Takes the next bytes; true once the reply is complete (or malformed: see take()).
  bool feed(const char* data, std::size_t size);
  // The connection ended: the reply is what arrived, or an error when it is incomplete.
  reply take(bool eof);

 private:
  class impl;
  std::unique_ptr<impl> impl_;
};

// A plain blocking descriptor whose calls give up at a deadline (SO_RCVTIMEO, SO_SNDTIMEO), for
// the models that block.
class blocking_socket {
 public:
  blocking_socket() = default;
  ~blocking_socket() { close(); }
  blocking_socket(blocking_socket&& o) noexcept;
  blocking_socket& operator=(blocking_socket&& o) noexcept;
  // Each returns 0 or the errno.
  int connect(const sockaddr_in& to, std::chrono::steady_clock::time_point deadline);
  int send(std::string_view bytes);
  // The next reply, or {0, why} (the deadline passed, the connection failed).
  reply receive();
  bool is_open() const { return fd_ >= 0; }
  void close();

 private:
  int fd_ = -1;
};

// A long-poll connection, for the models that block (sequential, threads, executor, tbb).
// Opening connects client i and sends its request; finish() waits for the reply.
class blocking_connection {
 public:
  blocking_connection() = default;
  blocking_connection(client_run& run, std::size_t i);  // a failure is recorded as its reply
  ~blocking_connection() { close(); }
  blocking_connection(blocking_connection&& o) noexcept = default;
  blocking_connection& operator=(blocking_connection&& o) noexcept;
  // Blocks until the reply has arrived or the run's deadline has passed, records it, closes.
  void finish();

 private:
  void close();
  client_run* run_ = nullptr;
  std::size_t index_ = 0;
  blocking_socket socket_;
};

struct workload : workload_base<params, result> {
  static constexpr std::string_view name = "connections";
  static std::vector<case_def<params>> cases();
  // The question: what does one open connection cost the client, in CPU and memory; then the
  // time, which is the server's delay in every model (it does not reward readiness).
  static merit::declaration merit() {
    using merit::quantity;
    return {.primary = {.of = quantity::metric,
                        .metric = std::string(client_cpu_us_per_conn),
                        .unit = "µs",
                        .title = "client CPU per connection"},
            .costs = {{.of = quantity::peak_memory, .per_item = true}, {.of = quantity::wall_time}},
            .item = "connection"};
  }
  static std::string describe_diff(const result& expected, const result& actual);
  static result reference(const params& p);
  // Every model sends all N requests before it waits for any reply, so the ideal is d.
  static double ideal_seconds(const params& p, models::in_flight) {
    return std::chrono::duration<double>(p.hold).count();
  }
  static double items(const params& p) { return static_cast<double>(p.connections); }
  static concur::metrics metrics(const result& r) {
    return metrics_of(r.measured, r.replies.size());
  }

  // One per model, each an explicit specialization in the model's own file (threads.cpp, ...).
  template <models::model M>
  static result run(M, const params&, const models::config&);
};

// The frame of every model's run: starts (or reuses) the case's server, checks and reports the
// limits, gives the clients a client_run, and measures around `clients`, which must fill
// run.replies and return once every connection is closed.
result run_clients(const params& p, const std::function<void(client_run&)>& clients,
                   std::size_t client_processes = 1);

// Why a case of N connections cannot run here (too few descriptors); empty when it can.
std::string descriptors_unavailable(std::size_t connections);

// The connections one process can hold: RLIMIT_NOFILE (raised) less what it needs beside them.
std::size_t connections_per_process();

// The processes N connections need, one of each side's holding at most connections_per_process:
// `wanted` (a configured count; the core count for a server past one process), or more.
std::size_t processes_for(std::size_t connections, std::size_t wanted);

// RLIMIT_NOFILE raised as far as the kernel allows (the hard limit; as root, fs.nr_open), once
// per process (a limit lowered afterwards stays lowered); returns the soft limit now.
std::size_t raise_descriptor_limit();

}  // namespace concur::connections
