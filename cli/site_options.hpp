#pragma once
// The options that describe a seeded site (concur serve, concur site export).
#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "workloads/http/site.hpp"

namespace concur::cli {

inline void add_site_options(CLI::App& cmd, http::site_spec& spec) {
  static const std::map<std::string, double> ms_units{{"ms", 1.0}, {"s", 1000.0}};
  auto duration = [&cmd](const char* name, std::chrono::milliseconds& value, const char* what) {
    cmd.add_option_function<double>(
           name,
           [&value](double ms) { value = std::chrono::milliseconds(static_cast<long long>(ms)); },
           what)
        ->transform(
            CLI::AsNumberWithUnit(ms_units, CLI::AsNumberWithUnit::CASE_INSENSITIVE, "UNIT"))
        ->default_str(std::to_string(value.count()) + "ms");
  };
  cmd.add_option("--pages", spec.pages, "pages in the site")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}))
      ->capture_default_str();
  cmd.add_option("--fanout", spec.fanout, "links per page")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}))
      ->capture_default_str();
  cmd.add_option("--seed", spec.seed, "seed of the link graph, the faults and the bodies")
      ->capture_default_str();
  cmd.add_option("--body-bytes", spec.body_bytes, "bodies are padded to at least this size")
      ->capture_default_str();
  duration("--latency", spec.latency, "added to every response (e.g. 20ms)");
  duration("--slow-delay", spec.slow_delay, "how long slow pages take (e.g. 3s)");
  cmd.add_option_function<std::size_t>(
      "--faults",
      [&spec](std::size_t n) {
        spec.faults = {n, n, n, n, n};
      },
      "pages of every fault kind (404, 500, slow, truncated, unreachable)");
  cmd.add_option("--not-found", spec.faults.not_found, "pages that answer 404");
  cmd.add_option("--server-error", spec.faults.server_error, "pages that answer 500");
  cmd.add_option("--slow", spec.faults.slow, "pages that answer after --slow-delay");
  cmd.add_option("--truncated", spec.faults.truncated, "pages that close the connection mid-body");
  cmd.add_option("--unreachable", spec.faults.unreachable,
                 "pages linked at a port where nothing listens");
}

}  // namespace concur::cli
