#pragma once
// Host names resolved once per process: a cache of getaddrinfo's answers that every client reads
// (no Asio resolver: it runs a hidden thread). The CLI primes it with resolve_hosts() before it
// starts timing, so the timed region resolves nothing.
#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "net/response.hpp"

namespace concur::http {

// One address a host resolved to (IPv4 or IPv6), port included, as connect() takes it.
struct socket_address {
  sockaddr_storage bytes{};
  socklen_t size = 0;
  const sockaddr* data() const { return reinterpret_cast<const sockaddr*>(&bytes); }
};

struct resolved_host {
  error_kind error = error_kind::none;    // no_such_host, too_many_open_files or other
  std::vector<socket_address> addresses;  // in getaddrinfo's order; the port is 0
};

// The host's addresses (a name, an IPv4 or an IPv6 address without brackets). A host not in the
// cache (a new host found mid-crawl) is resolved here, synchronously, on the calling thread, and
// cached for the rest of the process (failures for want of descriptors or memory are not cached).
// Thread-safe.
std::shared_ptr<const resolved_host> resolve(const std::string& host);

// Resolves the hosts of these URLs into the cache (URLs that do not parse are skipped).
void resolve_hosts(const std::vector<std::string>& urls);

// The address with its port set.
socket_address with_port(socket_address a, std::uint16_t port);

}  // namespace concur::http
