// concur wrk: the baseline beside the HTTP workloads: wrk at the same connection count against the
// same site (the embedded server, or nginx serving its export), with wrk's own CPU per request.
// With --against MODEL it alternates wrk and the model's client round by round on the same work,
// so that drift on a shared machine hits both alike, and gives the median of the paired ratios.
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/top_level.hpp"
#include "core/median.hpp"
#include "core/stopwatch.hpp"
#include "workloads/http/http.hpp"
#include "workloads/http/nginx.hpp"
#include "workloads/http/server.hpp"
#include "workloads/http/wrk.hpp"

namespace concur::cli {
namespace {

struct args {
  std::size_t connections = 64;
  unsigned threads = 1;
  unsigned seconds = 5;
  bool nginx = false;
  bool every_page = false;
  std::string against;  // a model, or none
  unsigned rounds = 5;
  std::size_t requests = 10'000;  // the model's N
};

struct client_run {
  double requests_per_second = 0;
  double cpu_per_request = 0;         // the client's, seconds
  double server_cpu_per_request = 0;  // the server's over the same run, seconds
};

// The server's CPU so far: the embedded server's threads, or the nginx process.
struct server_cpu {
  const http::site_server& server;
  const http::site_nginx* nginx;
  double operator()() const { return nginx ? nginx->cpu_seconds() : server.cpu_seconds(); }
};

// The model's client on the URLs, as a bench cell runs it (getter made inside the timing);
// throws when a page did not answer 200.
client_run run_model(const args& a, const std::vector<std::string>& urls,
                     const http::site_server& server, const server_cpu& server_used) {
  http::client_tally tally;
  const double server_start = server_used();
  const http::client_cpu cpu(&server);
  const stopwatch elapsed;
  const auto result = http::fetch(http::make_getter(a.against, {.concurrency = a.connections},
                                                    models::config::defaults(), tally),
                                  urls, tally);
  const double seconds = elapsed.seconds();
  const double cpu_seconds = cpu.seconds();
  const double server_seconds = server_used() - server_start;
  for (const auto& page : result.pages)
    if (page.error != http::error_kind::none || page.status != 200)
      throw std::runtime_error(fmt::format("{}: {}", a.against, http::describe(page)));
  const double n = static_cast<double>(urls.size());
  return {.requests_per_second = n / seconds,
          .cpu_per_request = cpu_seconds / n,
          .server_cpu_per_request = server_seconds / n};
}

// wrk on the same work, with the server's CPU over its run.
std::pair<http::wrk_result, double> run_wrk(const http::wrk_options& options,
                                            const server_cpu& server_used) {
  const double server_start = server_used();
  auto r = http::run_wrk(options);
  const double server_seconds = server_used() - server_start;
  return {r, r.requests > 0 ? server_seconds / r.requests : 0.0};
}

void run(const args& a, int& exit_code) {
  const http::site_spec spec{.pages = 10'000, .fanout = 4, .seed = 1, .body_bytes = 512};
  http::site_server server(spec);
  std::unique_ptr<http::site_nginx> nginx;
  if (a.nginx) nginx = std::make_unique<http::site_nginx>(server.site());
  const auto url_of = [&](std::size_t i) { return nginx ? nginx->url_of(i) : server.url_of(i); };
  // The work: page 1 (wrk's one URL), or every page in turn, N requests for the model.
  std::vector<std::string> urls(a.requests);
  for (std::size_t i = 0; i < urls.size(); ++i) urls[i] = url_of(a.every_page ? i % spec.pages : 1);
  http::wrk_options options{.url = urls.front(),
                            .connections = a.connections,
                            .threads = a.threads,
                            .seconds = a.seconds};
  if (a.every_page)
    for (std::size_t i = 0; i < spec.pages; ++i)
      options.targets.push_back(http::parse_url(url_of(i)).value().target);
  const std::string where = nginx ? "nginx" : "the embedded server";
  const std::string work = a.every_page ? "every page in turn" : "one page";
  const server_cpu server_used{server, nginx.get()};

  if (a.against.empty()) {
    const auto [r, server_per_request] = run_wrk(options, server_used);
    fmt::print("{}", r.output);
    fmt::print(
        "wrk -t{} -c{} -d{}s on {} of {}: {:.0f} requests/s, {:.2f} us wrk CPU per request, "
        "{:.2f} us server CPU per request\n",
        a.threads, a.connections, a.seconds, work, where, r.requests_per_second,
        r.cpu_per_request() * 1e6, server_per_request * 1e6);
    if (const auto problem = r.problem(); !problem.empty()) {
      fmt::print(stderr, "concur: error: {}\n", problem);
      exit_code = 1;
    }
    return;
  }

  fmt::print("wrk -t{} -c{} -d{}s against {} ({} requests, C = {}), alternating, on {} of {}\n",
             a.threads, a.connections, a.seconds, a.against, urls.size(), a.connections, work,
             where);
  run_model(a, urls, server, server_used);  // warms the server's caches and the client's allocator
  std::vector<double> rate_ratios, cpu_ratios, server_ratios;
  for (unsigned round = 1; round <= a.rounds; ++round) {
    const auto [w, w_server] = run_wrk(options, server_used);
    if (const auto problem = w.problem(); !problem.empty())
      throw std::runtime_error("wrk: " + problem);
    const auto m = run_model(a, urls, server, server_used);
    rate_ratios.push_back(m.requests_per_second / w.requests_per_second);
    cpu_ratios.push_back(m.cpu_per_request / w.cpu_per_request());
    server_ratios.push_back(w_server > 0 ? m.server_cpu_per_request / w_server : 0.0);
    fmt::print(
        "round {}: wrk {:.0f} requests/s, {:.2f} us CPU per request (server {:.2f} us); {} {:.0f} "
        "requests/s, {:.2f} us (server {:.2f} us); rate {:.2f}x, CPU per request {:.2f}x\n",
        round, w.requests_per_second, w.cpu_per_request() * 1e6, w_server * 1e6, a.against,
        m.requests_per_second, m.cpu_per_request * 1e6, m.server_cpu_per_request * 1e6,
        rate_ratios.back(), cpu_ratios.back());
  }
  fmt::print(
      "median of {} rounds: {} at {:.2f}x wrk's requests/s, {:.2f}x its CPU per request; the "
      "server spent {:.2f}x the CPU per request on {}'s requests that it spent on wrk's\n",
      a.rounds, a.against, median(rate_ratios).value(), median(cpu_ratios).value(),
      median(server_ratios).value(), a.against);
}

}  // namespace

void add_wrk(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("wrk",
                                 "baseline: wrk against the site of fetch/*/n10000_c64 (embedded "
                                 "server, or nginx with --nginx); --against MODEL alternates it "
                                 "with a model's client on the same work");
  auto a = std::make_shared<args>();
  cmd->add_option("-c,--connections", a->connections, "connections (the workloads' C)")
      ->check(whole_in<std::size_t>(1, 100'000))
      ->capture_default_str();
  cmd->add_option("-t,--threads", a->threads, "wrk threads (at most --connections)")
      ->check(whole_in(1u, 256u))
      ->capture_default_str();
  cmd->add_option("-d,--seconds", a->seconds, "duration of each wrk run")
      ->check(whole_in(1u, 3600u))
      ->capture_default_str();
  cmd->add_flag("--nginx", a->nginx, "against nginx serving the exported site");
  cmd->add_flag("--every-page", a->every_page,
                "every page in turn (a Lua script for wrk) instead of page 1");
  cmd->add_option("--against", a->against,
                  "a model whose client runs the same work after each wrk run")
      ->check(CLI::IsMember(models::names()));
  cmd->add_option("-n,--requests", a->requests,
                  "the model's requests per run, on fresh connections (the bench case: 10,000)")
      ->capture_default_str()
      ->check(whole_in<std::size_t>(1, 10'000'000));
  cmd->add_option("--rounds", a->rounds, "wrk and model runs to alternate (with --against)")
      ->capture_default_str()
      ->check(whole_in(1u, 1000u));
  cmd->callback([a, &exit_code] {
    if (a->threads > a->connections)
      throw usage_error(
          fmt::format("--threads {} is over --connections {}: wrk gives each thread "
                      "at least one connection",
                      a->threads, a->connections));
    exit_code = 0;
    run(*a, exit_code);
  });
}

}  // namespace concur::cli
