#include "net/resolve.hpp"

#include <netdb.h>
#include <netinet/in.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "net/url.hpp"

namespace concur::http {
namespace {

struct cache {
  std::shared_mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<const resolved_host>> hosts;
};

cache& the_cache() {
  static cache c;
  return c;
}

// Names under .invalid never resolve (RFC 6761, 6.4: resolvers should answer no at once): none
// is sent to a DNS server.
bool under_invalid(std::string host) {
  for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (host.ends_with('.')) host.pop_back();
  return host == "invalid" || host.ends_with(".invalid");
}

// getaddrinfo's answer, and whether it may be cached (running out of descriptors or memory
// says nothing about the name).
std::pair<resolved_host, bool> lookup(const std::string& host) {
  resolved_host out;
  if (under_invalid(host)) {
    out.error = error_kind::no_such_host;
    return {out, true};
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;  // no AI_ADDRCONFIG: it hides ::1 on a host with no other IPv6
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int r = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
  if (r == EAI_SYSTEM && (errno == EMFILE || errno == ENFILE)) {
    out.error = error_kind::too_many_open_files;
    return {out, false};
  }
  if (r == EAI_SYSTEM || r == EAI_MEMORY) {
    out.error = error_kind::other;
    return {out, false};
  }
  for (const addrinfo* a = found; r == 0 && a; a = a->ai_next) {
    if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
    socket_address s;
    std::memcpy(&s.bytes, a->ai_addr, a->ai_addrlen);
    s.size = a->ai_addrlen;
    out.addresses.push_back(s);
  }
  if (out.addresses.empty()) out.error = error_kind::no_such_host;
  return {out, true};
}

}  // namespace

std::shared_ptr<const resolved_host> resolve(const std::string& host) {
  auto& c = the_cache();
  {
    std::shared_lock lock(c.mutex);
    if (const auto it = c.hosts.find(host); it != c.hosts.end()) return it->second;
  }
  // A miss: resolved on this thread, without the lock (a slow name does not hold up the others).
  auto [answer, cacheable] = lookup(host);
  auto shared = std::make_shared<const resolved_host>(std::move(answer));
  if (!cacheable) return shared;
  std::unique_lock lock(c.mutex);
  return c.hosts.try_emplace(host, std::move(shared)).first->second;
}

void resolve_hosts(const std::vector<std::string>& urls) {
  std::string last;
  for (const auto& text : urls)
    if (const auto u = parse_url(text); u && u->host != last) {
      resolve(u->host);
      last = u->host;
    }
}

socket_address with_port(socket_address a, std::uint16_t port) {
  if (a.bytes.ss_family == AF_INET)
    reinterpret_cast<sockaddr_in*>(&a.bytes)->sin_port = htons(port);
  else
    reinterpret_cast<sockaddr_in6*>(&a.bytes)->sin6_port = htons(port);
  return a;
}

}  // namespace concur::http
