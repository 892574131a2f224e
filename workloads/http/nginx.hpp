#pragma once
// nginx serving the seeded site: its export (export_site) as static files, each page at the path
// the embedded server serves it at.
#include <cstddef>
#include <string>

#include "net/nginx.hpp"
#include "workloads/http/site.hpp"

namespace concur::http {

class site_nginx : public net::nginx_server {
 public:
  // Exports `s` and starts nginx on it (on a thread that lives as long as the process: see
  // net::nginx_server). `s` must outlive this.
  explicit site_nginx(const site& s);

  std::string url_of(std::size_t page) const { return site_->url_of(page, port()); }
  std::string root_url() const { return url_of(0); }

 private:
  const site* site_;
};

// nginx serving the embedded server's site for this spec (same bodies, same dead port), started
// on first use (on that thread: see net::nginx_server) and stopped when the process exits.
site_nginx& shared_nginx(const site_spec& spec);

}  // namespace concur::http
