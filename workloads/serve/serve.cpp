#include "workloads/serve/serve.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "core/diff.hpp"
#include "core/stopwatch.hpp"
#include "workloads/connections/connections.hpp"
#include "workloads/http/http.hpp"
#include "workloads/http/wrk.hpp"
#include "workloads/serve/protocol.hpp"
#include "workloads/serve/server_process.hpp"

namespace concur::serve {
namespace {

// The site every case serves: fetch's shape (fanout 4, 512-byte pages), no faults, no latency.
http::site_spec site_of(std::size_t pages) {
  return {.pages = pages, .fanout = 4, .seed = 1, .body_bytes = 512};
}

// The verification pass asks this many pages at a time, and stops after a batch that failed: a
// server that hangs costs one batch of timeouts, not one per page.
constexpr std::size_t batch_pages = 100;

page_answer answer_of(std::size_t page, const http::page_result& r) {
  return {.path = http::site::path(page),
          .status = r.status,
          .bytes = r.body_bytes,
          .hash = r.body_hash,
          .error = r.error == http::error_kind::none ? "" : std::string(to_string(r.error))};
}

// Every page fetched by the project's client over one keep-alive connection (which even an
// iterative server serves), closed before the load begins.
std::vector<page_answer> verify_pages(std::uint16_t port, std::size_t pages) {
  http::client_tally tally;
  const http::client_options options{.concurrency = 1};
  const auto get =
      http::make_getter(models::sequential_model{}, options, models::config::defaults(), tally);
  std::vector<page_answer> out;
  for (std::size_t first = 0; first < pages;) {
    // The first batch is one page: the readiness check.
    const std::size_t end = first == 0 ? 1 : std::min(pages, first + batch_pages);
    std::vector<std::string> urls;
    for (std::size_t i = first; i < end; ++i)
      urls.push_back(fmt::format("http://127.0.0.1:{}{}", port, http::site::path(i)));
    const auto answers = http::fetch(get, urls, tally).pages;
    bool failed = false;
    for (std::size_t i = 0; i < answers.size(); ++i) {
      out.push_back(answer_of(first + i, answers[i]));
      failed = failed || answers[i].status == 0;
    }
    if (failed) break;
    first = end;
  }
  return out;
}

// The load: wrk with C connections over every page in turn, for the case's time and until
// `enough` holds; `at_stop` is called as it is stopped, under the load still.
http::wrk_result drive(std::uint16_t port, const params& p, std::function<bool()> enough,
                       std::function<void()> at_stop) {
  std::vector<std::string> targets;
  for (std::size_t i = 0; i < p.site.pages; ++i) targets.push_back(http::site::path(i));
  return http::run_wrk({.url = fmt::format("http://127.0.0.1:{}/", port),
                        .connections = p.connections,
                        .threads = 1,
                        .targets = std::move(targets),
                        .stop_after = p.load,
                        .stop_when = std::move(enough),
                        .on_stop = std::move(at_stop),
                        .latency = true});
}

}  // namespace

result measure(const site_server& server, const params& p, std::string_view who) {
  result r{.pages = verify_pages(server.port(), p.site.pages)};
  if (r.pages.size() < p.site.pages) return r;  // a failed verification: its diff says the rest
  const auto before = server.served();
  const long long resident = server.resident_bytes();
  const bool peaks = server.reset_peaks();
  const double cpu = server.cpu_seconds();
  auto& m = r.measured;
  // A server slow to take on C connections (10,000 threads to start) is loaded until it has
  // answered as many requests as there are connections, so that its figures are of serving
  // them, not only of accepting them.
  // Counts that cannot be read (nginx gone) stop the load; its end says why.
  const auto enough = [&] {
    try {
      return server.served().answered - before.answered >= p.connections;
    } catch (const std::exception&) {
      return true;
    }
  };
  // The server's counts as wrk is stopped: once it has closed its connections, an iterative
  // server takes on (and answers) the ones it starved, whose requests wait in its backlog.
  const auto load = drive(server.port(), p, enough, [&] {
    try {
      const auto now = server.served();
      // Less the connection wrk opens and closes first, to check the address (wrk.resolve).
      m.accepted = std::max(0.0, static_cast<double>(now.accepted - before.accepted) - 1);
      m.answered = static_cast<double>(now.answered - before.answered);
    } catch (const std::exception&) {  // as above: left at 0, the load's end says why
    }
  });
  m.server_cpu_seconds = server.cpu_seconds() - cpu;
  if (peaks)
    m.server_peak_growth_bytes = static_cast<double>(std::max(0LL, server.peak_bytes() - resident));
  if (const auto why = server.ended(); !why.empty())
    throw std::runtime_error(fmt::format("the {} server ended during the load: {}", who, why));
  if (load.requests <= 0)
    throw std::runtime_error(
        fmt::format("wrk completed no request against the {} server:\n{}", who, load.output));
  if (load.non_2xx > 0)
    throw std::runtime_error(fmt::format(
        "{} of the {} server's answers under load were not 2xx or 3xx", load.non_2xx, who));
  m.connections = p.connections;
  m.seconds = load.seconds;
  m.requests = load.requests;
  m.latency_p50_ms = load.latency_p50_ms.value_or(0);
  m.latency_p99_ms = load.latency_p99_ms.value_or(0);
  m.latency_max_ms = load.latency_max_ms;
  m.socket_errors = static_cast<double>(load.connect_errors + load.read_errors + load.write_errors);
  m.timeouts = static_cast<double>(load.timeouts);
  m.client_cpu_seconds = load.cpu_seconds;
  return r;
}

namespace {

baseline nginx_baseline(const params& p) {
  baseline b{.name = "nginx",
             .settings = fmt::format(
                 "nginx: one worker process, the site's export from memory (open_file_cache), "
                 "keep-alive without a request limit; under wrk -t1 -c{} as the models",
                 p.connections)};
  if (b.unavailable = nginx_unavailable(); !b.unavailable.empty()) return b;
  b.self_timed = [p] {
    const stopwatch took;
    const result r = measure(nginx_server(p.site), p, "nginx");
    const result expected = workload::reference(p);
    return baseline_run{.seconds = took.seconds(),
                        .cpu_seconds = r.measured.server_cpu_seconds,
                        .measured = workload::metrics(r),
                        .problem = r == expected ? ""
                                                 : "nginx's pages differ from the site's:\n" +
                                                       workload::describe_diff(expected, r)};
  };
  return b;
}

}  // namespace

std::string describe(const page_answer& p) {
  if (p.status == 0) return fmt::format("{} no answer ({})", p.path, p.error);
  return fmt::format("{} {} {} bytes #{:016x}", p.path, p.status, p.bytes, p.hash);
}

std::vector<case_def<params>> workload::cases() {
  using std::chrono::milliseconds;
  const auto make = [](std::size_t c, std::size_t pages, milliseconds load, case_kind kind) {
    case_def<params> out{.name = fmt::format("c{}{}", c, kind == case_kind::test ? "_small" : ""),
                         .kind = kind,
                         .params = {site_of(pages), c, load},
                         .unavailable = connections::descriptors_unavailable(c)};
    if (kind != case_kind::test)
      out.ladder = ladder_point{"connections to the server", static_cast<double>(c)};
    return out;
  };
  // Each run is short, and lasts until the server has answered C requests: at 10,000 connections
  // opening them is most of the run (0.5-1.4 s, wrk opening them one after another). The 29 cells
  // of C = 64, 1,000 and 10,000 (nginx's, and the Python's at 64) took 100 s, six rounds each, on
  // the 2-core VM with 0.8 cores taken by others, most of it at 10,000; 150 and 200 ms loads took
  // as long. So C = 10,000 is --sweep's, with the other rungs, to keep the default run near 10
  // minutes.
  const auto load = [](std::size_t c) { return milliseconds(c < 10'000 ? 200 : 300); };
  std::vector<case_def<params>> out{make(16, 100, load(16), case_kind::test)};
  for (const std::size_t c : {64, 1'000}) out.push_back(make(c, 1'000, load(c), case_kind::bench));
  for (const std::size_t c : {16, 256, 4'000, 10'000})
    out.push_back(make(c, 1'000, load(c), case_kind::sweep));
  return out;
}

result workload::reference(const params& p) {
  const http::site s(p.site, "127.0.0.1", 0);
  result r;
  for (std::size_t i = 0; i < s.pages(); ++i)
    r.pages.push_back({.path = http::site::path(i),
                       .status = 200,
                       .bytes = s.body(i).size(),
                       .hash = http::body_hash(s.body(i))});
  return r;
}

std::string workload::describe_diff(const result& expected, const result& actual) {
  auto d = diff{}.sequence("pages", expected.pages, actual.pages,
                           [](const page_answer& p) { return describe(p); });
  if (actual.pages.size() < expected.pages.size())
    return d.str() + "\n(the verification stopped after the first batch with a page unanswered)";
  return d.str();
}

concur::metrics workload::metrics(const result& r) {
  const auto& m = r.measured;
  const auto per_request = [&](double v) { return m.requests > 0 ? v * 1e6 / m.requests : 0.0; };
  concur::metrics out{
      {std::string(us_per_request), per_request(m.seconds)},
      {"requests_per_s", m.seconds > 0 ? m.requests / m.seconds : 0.0},
      {"latency_p50_ms", m.latency_p50_ms},
      {"latency_p99_ms", m.latency_p99_ms},
      {"latency_max_ms", m.latency_max_ms},
      {"server_cpu_us_per_req", per_request(m.server_cpu_seconds)},
      {"wrk_cpu_us_per_req", per_request(m.client_cpu_seconds)},
      {"server_bytes_per_conn",
       m.connections > 0 ? m.server_peak_growth_bytes / static_cast<double>(m.connections) : 0.0},
      {"socket_errors", m.socket_errors},
      {"timeouts", m.timeouts}};
  out.emplace_back("connections_served", m.accepted);
  out.emplace_back("connections_starved",
                   std::max(0.0, static_cast<double>(m.connections) - m.accepted));
  return out;
}

std::vector<baseline> workload::baselines(const params& p) {
  return {nginx_baseline(p)};
}

result workload::run_model(std::string_view model, const params& p, const models::config& c) {
  return measure(model_server(model, p.site, c), p, model);
}

}  // namespace concur::serve
