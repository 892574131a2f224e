#pragma once
// The options concur fetch and concur crawl share: the model and the client's limits.
#include <CLI/CLI.hpp>
#include <string>

#include "cli/options.hpp"
#include "workloads/http/http.hpp"

namespace concur::cli {

struct client_args {
  std::string model = "coroutines";
  http::client_options client;
  models::config config = models::config::defaults();
};

inline void add_client_options(CLI::App& cmd, client_args& a) {
  using namespace std::chrono_literals;
  add_model(cmd, a.model);
  cmd.add_option("-c,--concurrency", a.client.concurrency,
                 "requests in flight (and keep-alive connections)")
      ->check(whole_in<std::size_t>(1, 100'000))
      ->capture_default_str();
  add_duration(cmd, "--timeout", a.client.timeout,
               "per request: connect, write and read together (e.g. 500ms, 5s; at most 1 h)", 1ms,
               1h);
  add_model_threads(cmd, a.config);
}

}  // namespace concur::cli
