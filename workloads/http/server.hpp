#pragma once
// The loopback site server (Boost.Beast, C++20 coroutines, on threads of its own). Beast stays in
// server.cpp: this header is cheap to include.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "workloads/http/site.hpp"

namespace concur::http {

struct server_options {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  unsigned threads = 1;
  // An idle keep-alive connection is closed after this.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
};

class site_server {
 public:
  // Binds, listens and starts serving; throws std::system_error when it cannot bind.
  site_server(const site_spec& spec, const server_options& options = {});
  ~site_server();  // stops
  site_server(const site_server&) = delete;
  site_server& operator=(const site_server&) = delete;

  std::uint16_t port() const;
  std::string address() const;  // "http://127.0.0.1:port"
  const http::site& site() const;
  std::string url_of(std::size_t page) const { return site().url_of(page, port()); }
  std::string root_url() const { return url_of(0); }

  std::size_t requests_served() const;
  double cpu_seconds() const;  // CPU time the server's threads have used so far

  // Stops serving and joins the threads; idempotent. Open connections are closed.
  void stop();

 private:
  class impl;
  std::unique_ptr<impl> impl_;
};

// A server for this spec, started on first use and shared by the whole process (the workloads'
// cases use it); it runs on its own thread until the process exits.
site_server& embedded_server(const site_spec& spec);

}  // namespace concur::http
