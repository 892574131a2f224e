#include "workloads/http/wrk.hpp"

#include <fmt/format.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <vector>

#include "core/cleanup.hpp"
#include "core/process.hpp"

namespace concur::http {

std::optional<std::string> wrk_binary() {
  return process::find_program("wrk");
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

namespace {

// A Lua script for wrk that requests the targets in turn, in a directory removed with this object.
class target_script {
 public:
  explicit target_script(const std::vector<std::string>& targets)
      : dir_("concur-wrk"), path_(dir_.path() + "/targets.lua") {
    std::ofstream out(path_);
    out << "local targets = {\n";
    for (const auto& t : targets) out << "  \"" << lua_escaped(t) << "\",\n";
    out << "}\nlocal i = 0\nrequest = function()\n  i = i % #targets + 1\n"
           "  return wrk.format(nil, targets[i])\nend\n";
    if (!out) throw std::runtime_error("cannot write wrk's script " + path_);
  }
  target_script(const target_script&) = delete;
  target_script& operator=(const target_script&) = delete;
  const std::string& path() const { return path_; }

 private:
  static std::string lua_escaped(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
      if (c == '"' || c == '\\')
        out += {'\\', static_cast<char>(c)};
      else if (c < 0x20 || c >= 0x7f)
        out += fmt::format("\\{:03d}", c);
      else
        out += static_cast<char>(c);
    }
    return out;
  }
  cleanup::owned_temp_dir dir_;  // gone after SIGINT, SIGTERM or (at the next start) SIGKILL
  std::string path_;
};

}  // namespace

wrk_result run_wrk(const wrk_options& o) {
  const auto wrk = wrk_binary();
  if (!wrk) throw std::runtime_error("wrk is not installed (Debian package wrk)");
  std::vector<std::string> argv{*wrk, fmt::format("-t{}", o.threads),
                                fmt::format("-c{}", o.connections),
                                fmt::format("-d{}s", o.seconds)};
  std::optional<target_script> script;
  if (!o.targets.empty()) {
    script.emplace(o.targets);
    argv.insert(argv.end(), {"-s", script->path()});
  }
  argv.push_back(o.url);
  const auto run = process::capture(argv, true);
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
