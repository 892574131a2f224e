#pragma once
// wrk (Debian's package wrk), the HTTP load generator, as the client baseline: it keeps C
// connections busy against one URL for a fixed time and reports its own rate; its CPU is what the
// kernel charged it (wait4).
#include <cstddef>
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
};

struct wrk_result {
  std::string output;  // what wrk printed
  double requests = 0;
  double requests_per_second = 0;
  double cpu_seconds = 0;         // wrk's user + system time
  std::size_t socket_errors = 0;  // connect, read, write and timeout errors together
  std::size_t non_2xx = 0;        // "Non-2xx or 3xx responses"
  double cpu_per_request() const { return requests > 0 ? cpu_seconds / requests : 0.0; }
  // Why this run does not count (errors, non-2xx answers, nothing done); empty when it does.
  std::string problem() const;
};

// Runs wrk; throws std::runtime_error when it is missing, fails or prints what we cannot read.
wrk_result run_wrk(const wrk_options& options);

// What wrk printed, read (cpu_seconds stays 0); throws std::runtime_error on what it cannot read.
wrk_result parse_wrk_output(std::string output);

}  // namespace concur::http
