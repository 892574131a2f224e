#include "workloads/http/nginx.hpp"

#include <map>
#include <memory>
#include <mutex>

#include "workloads/http/server.hpp"

namespace concur::http {

site_nginx::site_nginx(const site& s)
    : net::nginx_server(html_directory{[&s](const std::string& root) { export_site(s, root); }}),
      site_(&s) {}

site_nginx& shared_nginx(const site_spec& spec) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<site_nginx>> servers;
  const auto& embedded = embedded_server(spec);
  std::scoped_lock lock(mutex);
  auto& slot = servers[spec.key()];
  if (!slot) slot = std::make_unique<site_nginx>(embedded.site());
  return *slot;
}

}  // namespace concur::http
