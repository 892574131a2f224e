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
  // A body past it is the error "body over limit", so that one endless or huge answer cannot
  // take the machine's memory.
  cmd.add_option("--max-body", a.client.body_limit,
                 "the longest body accepted per response, in bytes or with a unit (500k, 64MiB, "
                 "1GiB); a longer one is the error \"body over limit\"")
      ->transform(CLI::AsSizeValue(false).description(""))
      ->check(whole_in<std::size_t>(1, std::size_t{1} << 40).description(""))
      ->type_name("SIZE")
      ->default_str("64MiB");
  add_model_threads(cmd, a.config);
}

}  // namespace concur::cli
