#pragma once
// The options that describe a seeded site (concur serve, concur site export), with the bounds that
// keep the site buildable: it is built in memory, every body and every link.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <string>

#include "cli/options.hpp"
#include "cli/top_level.hpp"
#include "workloads/http/site.hpp"

namespace concur::cli {

inline constexpr std::size_t max_site_pages = 10'000'000;
inline constexpr std::size_t max_site_links = 20'000'000;            // pages x fanout
inline constexpr std::size_t max_site_bytes = std::size_t{1} << 30;  // pages x body bytes: 1 GiB

inline void add_site_options(CLI::App& cmd, http::site_spec& spec) {
  using namespace std::chrono_literals;
  const auto count = whole_in<std::size_t>(0, max_site_pages, "at most --pages");
  cmd.add_option("--pages", spec.pages, "pages in the site")
      ->check(whole_in<std::size_t>(1, max_site_pages))
      ->capture_default_str();
  cmd.add_option("--fanout", spec.fanout, "links per page")
      ->check(whole_in<std::size_t>(0, 1000))
      ->capture_default_str();
  cmd.add_option("--seed", spec.seed, "seed of the link graph, the faults and the bodies")
      ->check(whole_in<std::uint64_t>(0, std::numeric_limits<std::uint64_t>::max()))
      ->capture_default_str();
  cmd.add_option("--body-bytes", spec.body_bytes, "bodies are padded to at least this size")
      ->check(whole_in<std::size_t>(0, 64 << 20, "64 MiB"))
      ->capture_default_str();
  add_duration(cmd, "--latency", spec.latency, "added to every response (e.g. 20ms; at most 60 s)",
               0ms, 60s);
  add_duration(cmd, "--slow-delay", spec.slow_delay,
               "how long slow pages take (e.g. 3s; at most 10 min)", 0ms, 10min);
  cmd.add_option_function<std::size_t>(
         "--faults",
         [&spec](std::size_t n) {
           spec.faults = {n, n, n, n, n};
         },
         "pages of every fault kind (404, 500, slow, truncated, unreachable)")
      ->check(count);
  cmd.add_option("--not-found", spec.faults.not_found, "pages that answer 404")->check(count);
  cmd.add_option("--server-error", spec.faults.server_error, "pages that answer 500")->check(count);
  cmd.add_option("--slow", spec.faults.slow, "pages that answer after --slow-delay")->check(count);
  cmd.add_option("--truncated", spec.faults.truncated, "pages that close the connection mid-body")
      ->check(count);
  cmd.add_option("--unreachable", spec.faults.unreachable,
                 "pages linked at a port where nothing listens")
      ->check(count);
}

// The bounds no single option has: the whole site must fit (checked before it is built).
inline void check_site_size(const http::site_spec& spec) {
  if (spec.fanout > 0 && spec.pages > max_site_links / spec.fanout)
    throw usage_error(fmt::format(
        "--pages {} x --fanout {} is over {} links: the site is built in memory before it is "
        "served",
        spec.pages, spec.fanout, max_site_links));
  if (spec.body_bytes > 0 && spec.pages > max_site_bytes / spec.body_bytes)
    throw usage_error(fmt::format(
        "--pages {} x --body-bytes {} is over 1 GiB of bodies: the site is built in memory before "
        "it is served",
        spec.pages, spec.body_bytes));
}

}  // namespace concur::cli
