#pragma once
// The server side: each model serves the generated site (the one `fetch` reads, without faults or
// latency) over keep-alive HTTP/1.1, in a process of its own (concur-server, server/main.cpp),
// and a fixed load generator, wrk in a process of its own, drives it with C connections. Before
// the load, the project's client fetches every page and the answers are checked against the
// site (the result); the load's figures are measured beside it: time per request (1 /
// throughput, the figure of merit), wrk's latency distribution, the server's CPU per request and
// memory per connection, and the connections wrk could not get served, counted rather than
// failed (an iterative server starves all but one).
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/workload.hpp"
#include "models/models.hpp"
#include "workloads/http/site.hpp"

namespace concur::serve {

struct params {
  http::site_spec site;
  std::size_t connections = 64;  // C: wrk's keep-alive connections
  // How long wrk drives the server at least: then until the server has answered C requests (at
  // most 10 s more), and on to wrk's next 100 ms tick, where it stops.
  std::chrono::milliseconds load;
};

// One page as the verification pass read it.
struct page_answer {
  std::string path;
  int status = 0;  // 0: no complete answer (error says why)
  std::size_t bytes = 0;
  std::uint64_t hash = 0;
  std::string error;
  bool operator==(const page_answer&) const = default;
};
std::string describe(const page_answer& p);

// What the load measured: never compared, reported as metrics.
struct load_measures {
  std::size_t connections = 0;  // C
  double seconds = 0;           // wrk's own duration
  double requests = 0;          // wrk's completed requests
  double latency_p50_ms = 0, latency_p99_ms = 0, latency_max_ms = 0;
  double socket_errors = 0;  // connect, read and write errors
  double timeouts = 0;
  double client_cpu_seconds = 0;  // wrk's
  double server_cpu_seconds = 0;  // every server process's, over the load
  double server_peak_growth_bytes = 0;
  double accepted = 0;  // connections the server took on during the load
  double answered = 0;  // answers it sent
};

struct result {
  std::vector<page_answer> pages;  // every page of the site, in page order
  load_measures measured;
  bool operator==(const result& o) const { return pages == o.pages; }
};

// What a model's server gets (server/main.cpp makes it in the server process).
class site_answers;
struct server_counters;
struct server_context {
  int listener;  // bound to 127.0.0.1:port and listening; SO_REUSEPORT set
  std::uint16_t port;
  const site_answers& answers;
  server_counters& counters;
  models::config config;
  // Each model calls it once it accepts, with the worker processes it forked (none but prefork):
  // the bench waits for it before the first request, and counts those processes' CPU and memory.
  std::function<void(const std::vector<pid_t>& workers)> ready;
};

// Each model's server, an explicit specialization in the model's own file (threads.cpp, ...):
// serves on ctx.listener until the process is killed.
template <models::model M>
void serve_site(M, const server_context& ctx);

// Serves with the model named `model` (server/main.cpp); throws models::unknown_model.
void serve_with(std::string_view model, const server_context& ctx);

// The time per request, the figure of merit, as its counter is named.
inline constexpr std::string_view us_per_request = "us_per_req";

struct workload : workload_base<params, result> {
  static constexpr std::string_view name = "serve";
  static std::vector<case_def<params>> cases();
  // The question: how many requests a second does the model's server answer under a fixed load
  // (ranked as time per request, lower is better), with the latency and the server's costs beside.
  static merit::declaration merit() {
    using merit::quantity;
    return {.primary = {.of = quantity::metric,
                        .metric = std::string(us_per_request),
                        .unit = "µs",
                        .title = "time per request (1 / throughput)"},
            .costs = {{.of = quantity::metric,
                       .metric = "latency_p99_ms",
                       .unit = "ms",
                       .title = "latency p99"},
                      {.of = quantity::metric,
                       .metric = "server_cpu_us_per_req",
                       .unit = "µs",
                       .title = "server CPU per request"}},
            .item = "connection",
            .per_case = true,
            .fixed_wall_time = true,
            // The iterative server answers one connection as fast as any and starves the rest
            // (connections_starved): beside the ranking, never its winner.
            .floor = std::string(models::sequential_model::name)};
  }
  static std::string describe_diff(const result& expected, const result& actual);
  static result reference(const params& p);  // from the site, nothing served
  static double ideal_seconds(const params& p, models::in_flight) {
    return std::chrono::duration<double>(p.load).count();
  }
  static double items(const params& p) { return static_cast<double>(p.connections); }
  static concur::metrics metrics(const result& r);
  // nginx serving the site's export, under the same load.
  static std::vector<baseline> baselines(const params& p);
  static std::size_t baseline_records(const result& r) { return r.pages.size(); }

  template <models::model M>
  static result run(M, const params& p, const models::config& c) {
    return run_model(M::name, p, c);
  }

 private:
  static result run_model(std::string_view model, const params& p, const models::config& c);
};

}  // namespace concur::serve
