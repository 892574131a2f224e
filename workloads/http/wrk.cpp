#include "workloads/http/wrk.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>

#include "core/process.hpp"

namespace concur::http {

std::optional<std::string> wrk_binary() {
  for (const char* p : {"/usr/bin/wrk", "/usr/local/bin/wrk"})
    if (::access(p, X_OK) == 0) return std::string(p);
  return std::nullopt;
}

std::string wrk_result::problem() const {
  if (requests <= 0) return "wrk completed no request";
  if (socket_errors > 0)
    return fmt::format("wrk met {} socket errors in {:.0f} requests", socket_errors, requests);
  if (non_2xx > 0)
    return fmt::format("wrk got {} answers that were not 2xx or 3xx in {:.0f} requests", non_2xx,
                       requests);
  return {};
}

wrk_result run_wrk(const wrk_options& o) {
  const auto wrk = wrk_binary();
  if (!wrk) throw std::runtime_error("wrk is not installed (Debian package wrk)");
  const auto run =
      process::capture({*wrk, fmt::format("-t{}", o.threads), fmt::format("-c{}", o.connections),
                        fmt::format("-d{}s", o.seconds), o.url},
                       true);
  if (run.status != 0)
    throw std::runtime_error(fmt::format("wrk exited with status {}:\n{}", run.status, run.out));
  auto r = parse_wrk_output(run.out);
  r.cpu_seconds = run.cpu_seconds;
  return r;
}

wrk_result parse_wrk_output(std::string output) {
  wrk_result r{.output = std::move(output)};
  std::smatch m;
  if (!std::regex_search(r.output, m, std::regex(R"((\d+) requests in)")))
    throw std::runtime_error("unexpected wrk output:\n" + r.output);
  r.requests = std::stod(m[1]);
  if (!std::regex_search(r.output, m, std::regex(R"(Requests/sec:\s*([0-9.]+))")))
    throw std::runtime_error("unexpected wrk output (no Requests/sec):\n" + r.output);
  r.requests_per_second = std::stod(m[1]);
  if (std::regex_search(
          r.output, m,
          std::regex(R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))")))
    for (int i = 1; i <= 4; ++i) r.socket_errors += std::stoul(m[i]);
  if (std::regex_search(r.output, m, std::regex(R"(Non-2xx or 3xx responses: (\d+))")))
    r.non_2xx = std::stoul(m[1]);
  return r;
}

}  // namespace concur::http
