#pragma once
// The options concur fetch and concur crawl share: the model and the client's limits.
#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "workloads/http/http.hpp"

namespace concur::cli {

struct client_args {
  std::string model = "coroutines";
  http::client_options client;
  models::config config = models::config::defaults();
};

inline void add_client_options(CLI::App& cmd, client_args& a) {
  static const std::map<std::string, double> ms_units{{"ms", 1.0}, {"s", 1000.0}};
  cmd.add_option("--model", a.model, models::names_text())
      ->check(CLI::IsMember(models::names()))
      ->capture_default_str();
  cmd.add_option("-c,--concurrency", a.client.concurrency,
                 "requests in flight (and keep-alive connections)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}))
      ->capture_default_str();
  cmd.add_option_function<double>(
         "--timeout",
         [&a](double ms) {
           a.client.timeout = std::chrono::milliseconds(static_cast<long long>(ms));
         },
         "per request: connect, write and read together (e.g. 500ms, 5s)")
      ->transform(CLI::AsNumberWithUnit(ms_units, CLI::AsNumberWithUnit::CASE_INSENSITIVE, "UNIT"))
      ->default_str("5000ms");
  cmd.add_option("--pool-threads", a.config.pool_threads, "executor model: pool size")
      ->capture_default_str();
  cmd.add_option("--worker-threads", a.config.worker_threads, "tbb model: arena size")
      ->capture_default_str();
}

}  // namespace concur::cli
