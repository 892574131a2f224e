#include "workloads/connections/connections.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "core/cpu_time.hpp"
#include "core/diff.hpp"
#include "workloads/connections/limits.hpp"
#include "workloads/connections/server.hpp"

namespace concur::connections {
namespace {

// Descriptors a run needs beyond its connections (the process's own files, the loop's).
constexpr std::size_t spare_descriptors = 256;

std::string too_few_descriptors(std::size_t connections, std::size_t limit) {
  return fmt::format("{} connections need {} descriptors; RLIMIT_NOFILE is {} ({})", connections,
                     connections + spare_descriptors, limit, kernel::descriptor_ceiling());
}

// A process's share of N connections over k processes: at most ceil(N / k).
std::size_t share_of(std::size_t connections, std::size_t processes) {
  return (connections + processes - 1) / std::max<std::size_t>(processes, 1);
}

// A server holds every connection in one process while it can; past that, as many processes as
// the descriptors need, and at least one per core (nginx's worker_processes auto).
std::size_t server_processes(std::size_t connections) {
  if (connections <= connections_per_process()) return 1;
  return processes_for(connections, std::max(1u, std::thread::hardware_concurrency()));
}

// This process and the children it has waited for (the processes model's workers, reaped within
// the run).
double client_cpu_seconds() {
  rusage children{};
  ::getrusage(RUSAGE_CHILDREN, &children);
  return cpu_time::of_process() + cpu_time::of_usage(children);
}

}  // namespace

std::size_t connections_per_process() {
  const std::size_t limit = raise_descriptor_limit();
  return limit > 2 * spare_descriptors ? limit - spare_descriptors : spare_descriptors;
}

std::size_t processes_for(std::size_t connections, std::size_t wanted) {
  const std::size_t needed = share_of(connections, connections_per_process());
  return std::max<std::size_t>(1, std::min(connections, std::max(wanted, needed)));
}

std::string describe(const reply& r) {
  if (r.status == 0) return fmt::format("no reply ({})", r.body.empty() ? "none" : r.body);
  std::string body;
  for (const char c : r.body) body += c == '\n' ? std::string("\\n") : std::string(1, c);
  return fmt::format("{} \"{}\"", r.status, body);
}

std::string descriptors_unavailable(std::size_t connections) {
  const std::size_t limit = raise_descriptor_limit();
  return connections + spare_descriptors > limit ? too_few_descriptors(connections, limit) : "";
}

std::vector<case_def<params>> workload::cases() {
  using std::chrono::milliseconds;
  const std::string nginx = nginx_unavailable();
  const auto make = [&](server_kind server, std::size_t n, milliseconds d, case_kind kind) {
    const bool via_nginx = server == server_kind::nginx;
    case_def<params> c{.name = fmt::format("{}n{}_d{}", via_nginx ? "nginx_" : "", n,
                                           d.count() % 1000 ? fmt::format("{}ms", d.count())
                                                            : fmt::format("{}s", d.count() / 1000)),
                       .kind = kind,
                       .params = {n, d, server},
                       .unavailable = via_nginx ? nginx : ""};
    if (kind != case_kind::test)
      c.ladder =
          ladder_point{via_nginx ? "connections to nginx" : "connections", static_cast<double>(n)};
    return c;
  };
  std::vector<case_def<params>> out;
  for (const auto server : {server_kind::embedded, server_kind::nginx}) {
    // Every model at 1,000 against the embedded server; nginx's chunked replies at 100.
    out.push_back(make(server, server == server_kind::embedded ? 1'000 : 100, milliseconds(50),
                       case_kind::test));
    for (const std::size_t n : {1'000, 10'000, 50'000, 100'000}) {
      // The default run keeps to the embedded server's C10k rung (each cell is a round of >= d);
      // nginx's and the other rungs are --sweep's.
      const bool bench = server == server_kind::embedded && n == 10'000;
      out.push_back(
          make(server, n, milliseconds(1000), bench ? case_kind::bench : case_kind::sweep));
    }
  }
  return out;
}

result workload::reference(const params& p) {
  result r{.opened = p.connections, .closed = p.connections};
  r.replies.reserve(p.connections);
  for (std::size_t i = 0; i < p.connections; ++i) r.replies.push_back({200, body_of(i)});
  return r;
}

std::string workload::describe_diff(const result& expected, const result& actual) {
  return diff{}
      .field("connections opened", expected.opened, actual.opened)
      .field("connections closed", expected.closed, actual.closed)
      .sequence("replies", expected.replies, actual.replies, describe)
      .str();
}

concur::metrics metrics_of(const measures& m, std::size_t connections) {
  const double n = std::max<double>(1, static_cast<double>(connections));
  const auto per_open = [&](double v) {
    return m.open_at_peak ? v / static_cast<double>(m.open_at_peak) : 0.0;
  };
  return {{std::string(client_cpu_us_per_conn), m.client_cpu_seconds * 1e6 / n},
          {"server_cpu_us_per_conn", m.server_cpu_seconds * 1e6 / n},
          {"kernel_socket_bytes_per_conn", per_open(m.socket_memory_bytes)},
          {"kernel_slab_bytes_per_conn", per_open(m.slab_bytes)},
          {"open_at_peak", static_cast<double>(m.open_at_peak)},
          {"rlimit_nofile", m.descriptor_limit},
          {"addresses", static_cast<double>(m.addresses)},
          {"listen_overflows", m.listen_overflows},
          {"server_bytes_per_conn", per_open(m.server_memory_bytes)},
          {"client_processes", static_cast<double>(m.client_processes)},
          {"server_processes", static_cast<double>(m.server_processes)}};
}

framed run_framed(connection_run& run, server_kind kind, std::chrono::milliseconds hold,
                  std::chrono::milliseconds allowance, const std::function<void()>& clients) {
  const std::size_t limit = raise_descriptor_limit();
  if (const auto share = share_of(run.connections, run.client_processes);
      share + spare_descriptors > limit)
    throw resource_exhausted(too_few_descriptors(share, limit));
  const std::size_t servers = server_processes(run.connections);
  server& peer = shared_server(kind, hold, servers);
  const std::size_t addresses = addresses_for(run.connections);
  tally work(run.connections);
  run.endpoints = {peer.endpoints().begin(), peer.endpoints().begin() + addresses};
  // Past it a connection gives up: long enough for N connects on a busy machine.
  run.deadline = std::chrono::steady_clock::now() + allowance +
                 std::chrono::microseconds(50) * run.connections;
  run.work = &work;
  const long pages_before = kernel::tcp_memory_pages();
  const long long slab_before = kernel::slab_bytes();
  const long overflows_before = kernel::listen_overflows();
  const double server_before = peer.cpu_seconds();
  peer.start_peaks();
  const double client_before = client_cpu_seconds();
  clients();
  run.work = nullptr;
  framed out{.opened = work.opened_count(), .closed = work.closed_count()};
  auto& m = out.measured;
  m.client_cpu_seconds = client_cpu_seconds() - client_before;
  m.server_cpu_seconds = peer.cpu_seconds() - server_before;
  if (const auto& peak = work.at_peak()) {
    m.open_at_peak = peak->open;
    m.socket_memory_bytes = static_cast<double>(peak->socket_pages - pages_before) *
                            static_cast<double>(::sysconf(_SC_PAGESIZE));
    m.slab_bytes = static_cast<double>(peak->slab_bytes - slab_before);
  }
  m.server_memory_bytes = static_cast<double>(peer.peak_growth());
  m.client_processes = run.client_processes;
  m.server_processes = servers;
  m.descriptor_limit = static_cast<double>(limit);
  m.addresses = addresses;
  m.listen_overflows = static_cast<double>(kernel::listen_overflows() - overflows_before);
  return out;
}

result run_clients(const params& p, const std::function<void(client_run&)>& clients,
                   std::size_t client_processes) {
  client_run run;
  run.connections = p.connections;
  run.client_processes = client_processes;
  run.replies.resize(p.connections);
  auto out =
      run_framed(run, p.server, p.hold, p.hold + std::chrono::seconds(30), [&] { clients(run); });
  return {.replies = std::move(run.replies),
          .opened = out.opened,
          .closed = out.closed,
          .measured = out.measured};
}

}  // namespace concur::connections
