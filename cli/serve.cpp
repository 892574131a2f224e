// concur serve: the seeded site on a port of its own until SIGINT or SIGTERM; or, with
// --nginx-root, nginx serving an existing directory (a real site, as the bench's real-site crawl).
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/site_options.hpp"
#include "net/nginx.hpp"
#include "workloads/http/server.hpp"

namespace concur::cli {
namespace {

// Ends the process with `signal` (its default action), as if it had not been caught.
[[noreturn]] void die_by(int signal) {
  ::signal(signal, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, signal);
  pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
  ::raise(signal);
  std::_Exit(128 + signal);
}

// Flushes standard output; throws when what was printed did not reach it, since a server whose
// address line was lost is of no use to whoever started it.
void flush_or_throw() {
  errno = 0;
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return;
  throw std::runtime_error(
      fmt::format("cannot write standard output: {}",
                  errno != 0 ? std::strerror(errno) : "an earlier write failed"));
}

// What to do when the stop signal comes (the server it holds stops when it goes).
using on_stop = std::function<void(int signal)>;

// Serves what `start` starts (it prints the address line) until SIGINT or SIGTERM; returns that
// signal.
int serve(const std::function<on_stop()>& start) {
  // The stop signals are blocked in every thread (the server's inherit the mask) and taken by a
  // waiter thread: before the server is up (the site build can take seconds) a signal ends the
  // process at once; after, it stops the server and is reported.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::atomic<bool> serving{false};
  std::promise<int> stop;
  // Polls, so that it ends when serve() does (the jthread's stop) if the server failed to start.
  std::jthread waiter([&](std::stop_token done) {
    while (!done.stop_requested()) {
      const timespec poll{0, 100'000'000};
      const int signal = sigtimedwait(&stop_signals, nullptr, &poll);
      if (signal <= 0) continue;
      if (!serving.load()) die_by(signal);
      stop.set_value(signal);
      return;
    }
  });
  const on_stop stopped = start();
  serving.store(true);
  flush_or_throw();  // the server and the waiter stop on the way out
  const int signal = stop.get_future().get();
  stopped(signal);
  flush_or_throw();
  return signal;
}

on_stop start_site(const http::site_spec& spec, const http::server_options& options) {
  auto server = std::make_shared<http::site_server>(spec, options);
  fmt::print("listening on {} ({} pages, root {}, dead port {})\n", server->address(), spec.pages,
             server->root_url(), server->site().dead_port());
  return [server](int signal) {
    server->stop();
    fmt::print("stopped on signal {} after {} requests\n", signal, server->requests_served());
  };
}

// nginx's port is its own choice; the address line gives it, as the seeded site's does.
on_stop start_nginx(const std::string& root) {
  auto nginx = std::make_shared<net::nginx_server>(net::nginx_server::existing_directory{root});
  fmt::print("listening on {} (nginx, serving {} read-only)\n", nginx->url("/"), root);
  return [nginx](int signal) {  // holds nginx: it stops when this goes
    fmt::print("stopped on signal {}\n", signal);
  };
}

}  // namespace

void add_serve(CLI::App& app, int& /*exit_code: serve ends by its signal*/) {
  auto* cmd = app.add_subcommand(
      "serve", "serve the seeded HTML site (latency and faults included) until SIGINT/SIGTERM");
  auto spec = std::make_shared<http::site_spec>();
  auto options = std::make_shared<http::server_options>();
  cmd->add_option("--bind", options->bind, "numeric address to listen on")
      ->check(CLI::Validator(
          [](std::string& address) -> std::string {
            unsigned char bytes[sizeof(in6_addr)];
            if (inet_pton(AF_INET, address.c_str(), bytes) == 1 ||
                inet_pton(AF_INET6, address.c_str(), bytes) == 1)
              return {};
            return "not a numeric IPv4 or IPv6 address (e.g. 127.0.0.1 or ::1)";
          },
          "ADDRESS"))
      ->capture_default_str();
  cmd->add_option("--port", options->port, "port (0: any free port)")
      ->check(whole_in<unsigned>(0, 65535))
      ->capture_default_str();
  cmd->add_option("--threads", options->threads, "server threads")
      ->check(whole_in(1u, 256u))
      ->capture_default_str();
  add_site_options(*cmd, *spec);
  auto nginx_root = std::make_shared<std::string>();
  cmd->add_option("--nginx-root", *nginx_root,
                  "serve this existing directory with nginx instead (read-only, each file typed "
                  "by nginx's mime.types; the site options do not apply)")
      ->check(CLI::ExistingDirectory);
  cmd->callback([spec, options, nginx_root] {
    // Stopped cleanly, it still ends by the signal (128 + N), as its caller expects of a signal.
    if (!nginx_root->empty()) die_by(serve([&] { return start_nginx(*nginx_root); }));
    check_site_size(*spec);
    die_by(serve([&] { return start_site(*spec, *options); }));
  });
}

}  // namespace concur::cli
