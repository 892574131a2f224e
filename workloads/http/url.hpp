#pragma once
// An absolute http URL split into what a client needs to send a request.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace concur::http {

struct url {
  std::string host;  // a registered name, an IPv4 address, or an IPv6 address (no brackets)
  std::uint16_t port = 80;
  std::string target;             // path and query, starting with '/'; never a fragment
  std::string authority() const;  // "host:port" as the Host header wants it ("[::1]:8080")
  std::string origin() const;     // "http://" + authority()
};
std::optional<url> parse_url(std::string_view text);

}  // namespace concur::http
