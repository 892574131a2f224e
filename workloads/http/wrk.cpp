#include "workloads/http/wrk.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

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

// Runs wrk as process::capture does (stdout and stderr read together), sending it SIGINT once
// `stop_after` has passed and `stop_when` holds (after calling `on_stop`), and SIGKILL if it has
// not ended 10 s after that.
process::captured capture_stopped(const std::vector<std::string>& argv, const wrk_options& o) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::system_category(), "pipe");
  pid_t pid = -1;
  try {
    pid = process::detail::spawn(argv, fds[1], fds[1]);
  } catch (...) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw;
  }
  ::close(fds[1]);
  using clock = std::chrono::steady_clock;
  auto stop_at = clock::now() + *o.stop_after;
  const auto give_up_at = stop_at + std::chrono::seconds(10);
  const auto kill_at = give_up_at + std::chrono::seconds(10);
  int signal = SIGINT;
  process::captured r;
  for (;;) {
    const auto next = signal == SIGINT ? stop_at : kill_at;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - clock::now());
    pollfd p{fds[0], POLLIN, 0};
    const int ready = wait.count() > 0 ? ::poll(&p, 1, static_cast<int>(wait.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      if (signal == SIGINT && o.stop_when && clock::now() < give_up_at && !o.stop_when()) {
        stop_at += std::chrono::milliseconds(10);
        continue;
      }
      if (signal == SIGINT && o.on_stop) o.on_stop();
      if (signal != 0) ::kill(pid, signal);
      signal = signal == SIGINT ? SIGKILL : 0;
      continue;
    }
    char chunk[4096];
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    r.out.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  r.status = process::detail::wait_for(pid, &r.cpu_seconds);
  return r;
}

double to_ms(const std::string& value, const std::string& unit) {
  const double v = std::stod(value);
  if (unit == "us") return v / 1000;
  if (unit == "ms") return v;
  if (unit == "s") return v * 1000;
  if (unit == "m") return v * 60'000;
  return v * 3'600'000;  // h
}

}  // namespace

wrk_result run_wrk(const wrk_options& o) {
  const auto wrk = wrk_binary();
  if (!wrk) throw std::runtime_error("wrk is not installed (Debian package wrk)");
  // Stopped by a signal, it is given a duration well past the stop.
  const unsigned seconds =
      o.stop_after ? static_cast<unsigned>(o.stop_after->count() / 1000) + 10 : o.seconds;
  std::vector<std::string> argv{*wrk, fmt::format("-t{}", o.threads),
                                fmt::format("-c{}", o.connections), fmt::format("-d{}s", seconds)};
  if (o.latency) argv.push_back("--latency");
  std::optional<target_script> script;
  if (!o.targets.empty()) {
    script.emplace(o.targets);
    argv.insert(argv.end(), {"-s", script->path()});
  }
  argv.push_back(o.url);
  const auto run = o.stop_after ? capture_stopped(argv, o) : process::capture(argv, true);
  if (run.status != 0)
    throw std::runtime_error(fmt::format("wrk exited with status {}:\n{}", run.status, run.out));
  auto r = parse_wrk_output(run.out);
  r.cpu_seconds = run.cpu_seconds;
  return r;
}

wrk_result parse_wrk_output(std::string output) {
  wrk_result r{.output = std::move(output)};
  std::smatch m;
  const std::string time = R"(([0-9.]+)(us|ms|s|m|h))";
  if (!std::regex_search(r.output, m, std::regex(R"((\d+) requests in )" + time)))
    throw std::runtime_error("unexpected wrk output:\n" + r.output);
  r.requests = std::stod(m[1]);
  r.seconds = to_ms(m[2], m[3]) / 1000;
  if (std::regex_search(r.output, m,
                        std::regex(R"(Latency\s+)" + time + R"(\s+)" + time + R"(\s+)" + time)))
    r.latency_max_ms = to_ms(m[5], m[6]);
  if (std::regex_search(r.output, m, std::regex(R"(\s50%\s+)" + time)))
    r.latency_p50_ms = to_ms(m[1], m[2]);
  if (std::regex_search(r.output, m, std::regex(R"(\s99%\s+)" + time)))
    r.latency_p99_ms = to_ms(m[1], m[2]);
  if (!std::regex_search(r.output, m, std::regex(R"(Requests/sec:\s*([0-9.]+))")))
    throw std::runtime_error("unexpected wrk output (no Requests/sec):\n" + r.output);
  r.requests_per_second = std::stod(m[1]);
  if (std::regex_search(
          r.output, m,
          std::regex(R"(Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+))"))) {
    r.connect_errors = std::stoul(m[1]);
    r.read_errors = std::stoul(m[2]);
    r.write_errors = std::stoul(m[3]);
    r.timeouts = std::stoul(m[4]);
    r.socket_errors = r.connect_errors + r.read_errors + r.write_errors + r.timeouts;
  }
  if (std::regex_search(r.output, m, std::regex(R"(Non-2xx or 3xx responses: (\d+))")))
    r.non_2xx = std::stoul(m[1]);
  return r;
}

}  // namespace concur::http
