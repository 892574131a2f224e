#pragma once
// wrk (Debian's package wrk), the HTTP load generator, as the client baseline: it keeps C
// connections busy against one URL for a fixed time and reports its own rate; its CPU is what the
// kernel charged it (wait4).
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace concur::http {

// The wrk binary, when installed.
std::optional<std::string> wrk_binary();

struct wrk_options {
  std::string url;
  std::size_t connections = 64;
  unsigned threads = 1;
  unsigned seconds = 1;
  // When set, wrk requests these targets of the url's server in turn (a Lua script it runs per
  // request, which costs it some CPU) instead of the url alone.
  std::vector<std::string> targets = {};
  // When set, wrk is stopped (SIGINT) this long after it starts instead of after `seconds`
  // (whole seconds only): it ends at the next of its 100 ms ticks and reports its own duration.
  std::optional<std::chrono::milliseconds> stop_after = {};
  // Past stop_after, wrk is stopped once this holds (asked every 10 ms, for at most 10 s more).
  // Neither it nor on_stop may throw: wrk would be left running.
  std::function<bool()> stop_when = {};
  std::function<void()> on_stop = {};  // called just before the stop signal, under the load still
  bool latency = false;                // --latency: its percentiles, read into the result
};

struct wrk_result {
  std::string output;  // what wrk printed
  double requests = 0;
  double requests_per_second = 0;
  double cpu_seconds = 0;         // wrk's user + system time
  std::size_t socket_errors = 0;  // connect, read, write and timeout errors together
  std::size_t non_2xx = 0;        // "Non-2xx or 3xx responses"
  double seconds = 0;             // its own duration ("N requests in 301.25ms")
  std::size_t connect_errors = 0, read_errors = 0, write_errors = 0, timeouts = 0;
  // Latency (ms): the maximum, and with --latency the median and the 99th percentile.
  double latency_max_ms = 0;
  std::optional<double> latency_p50_ms, latency_p99_ms;
  double cpu_per_request() const { return requests > 0 ? cpu_seconds / requests : 0.0; }
  // Why this run does not count (errors, non-2xx answers, nothing done); empty when it does.
  std::string problem() const;
};

// Runs wrk; throws std::runtime_error when it is missing, fails or prints what we cannot read.
wrk_result run_wrk(const wrk_options& options);

// What wrk printed, read (cpu_seconds stays 0); throws std::runtime_error on what it cannot read.
wrk_result parse_wrk_output(std::string output);

}  // namespace concur::http
