// concur wrk: the baseline beside the HTTP workloads: wrk at the same connection count against the
// same site (the embedded server, or nginx serving its export), with wrk's own CPU per request.
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "workloads/http/nginx.hpp"
#include "workloads/http/server.hpp"

extern char** environ;

namespace concur::cli {
namespace {

std::optional<std::string> find_wrk() {
  for (const char* p : {"/usr/bin/wrk", "/usr/local/bin/wrk"})
    if (::access(p, X_OK) == 0) return std::string(p);
  return std::nullopt;
}

struct wrk_run {
  std::string output;
  double cpu_seconds = 0;  // wrk's user + system time
  int status = 0;
};

wrk_run run_wrk(std::vector<std::string> args) {
  wrk_run out;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (spawned != 0) {
    ::close(fds[0]);
    throw std::runtime_error("cannot start wrk");
  }
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    out.output.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  rusage usage{};
  ::wait4(pid, &out.status, 0, &usage);
  out.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                    static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  return out;
}

}  // namespace

void add_wrk(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("wrk",
                                 "baseline: wrk against the site of fetch/*/n10000_c64 (embedded "
                                 "server, or nginx with --nginx)");
  struct args {
    std::size_t connections = 64;
    unsigned threads = 1;
    unsigned seconds = 5;
    bool nginx = false;
  };
  auto a = std::make_shared<args>();
  cmd->add_option("-c,--connections", a->connections, "connections (the workloads' C)")
      ->capture_default_str();
  cmd->add_option("-t,--threads", a->threads, "wrk threads")->capture_default_str();
  cmd->add_option("-d,--seconds", a->seconds, "duration")->capture_default_str();
  cmd->add_flag("--nginx", a->nginx, "against nginx serving the exported site");
  cmd->callback([a, &exit_code] {
    try {
      const auto wrk = find_wrk();
      if (!wrk) throw std::runtime_error("wrk is not installed (apt-get install wrk)");
      const http::site_spec spec{.pages = 10'000, .fanout = 4, .seed = 1, .body_bytes = 512};
      http::site_server server(spec);
      std::unique_ptr<http::nginx_server> nginx;
      if (a->nginx) nginx = std::make_unique<http::nginx_server>(server.site());
      const std::string url = nginx ? nginx->url_of(1) : server.url_of(1);
      const double server_cpu = server.cpu_seconds();
      const auto run =
          run_wrk({*wrk, fmt::format("-t{}", a->threads), fmt::format("-c{}", a->connections),
                   fmt::format("-d{}s", a->seconds), url});
      const double server_used = server.cpu_seconds() - server_cpu;
      std::smatch m;
      const std::regex requests(R"((\d+) requests in)"), rate(R"(Requests/sec:\s*([0-9.]+))");
      if (!std::regex_search(run.output, m, requests))
        throw std::runtime_error("unexpected wrk output:\n" + run.output);
      const double n = std::stod(m[1]);
      std::regex_search(run.output, m, rate);
      const double per_second = m.empty() ? 0.0 : std::stod(m[1]);
      fmt::print("{}", run.output);
      fmt::print("wrk -t{} -c{} -d{}s against {}: {:.0f} requests/s, {:.2f} us wrk CPU per request",
                 a->threads, a->connections, a->seconds, nginx ? "nginx" : "the embedded server",
                 per_second, n > 0 ? run.cpu_seconds * 1e6 / n : 0.0);
      if (!nginx)
        fmt::print(", {:.2f} us server CPU per request", n > 0 ? server_used * 1e6 / n : 0.0);
      fmt::print("\n");
    } catch (const std::exception& e) {
      fmt::print(stderr, "concur wrk: {}\n", e.what());
      exit_code = 1;
    }
  });
}

}  // namespace concur::cli
