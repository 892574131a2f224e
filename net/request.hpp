#pragma once
// The bytes of a GET, built in place, for every client (the blocking one and those on an
// io_context). Cheap to include: no Asio or Beast.
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/resolve.hpp"
#include "net/response.hpp"
#include "net/url.hpp"

namespace concur::http {

// The request Beast's serializer would write for request<empty_body>{GET, target, 11} with Host
// and User-Agent set, built into the connection's string (no allocation once it has grown). The
// URLs of a batch share their origin: what depends on it alone (the host's addresses, the header
// lines after the request line) is kept from the connection's previous request, and a URL that
// starts with the same "http://authority/" parses to the same host and port.
struct request_builder {
  // bad_url for a URL parse_url refuses; the host's error when it did not resolve.
  error_kind build(std::string_view url_text, std::string& request) {
    std::string_view target;
    if (!origin.empty() && url_text.size() > origin.size() && url_text.starts_with(origin) &&
        url_text[origin.size()] == '/') {
      target = url_text.substr(origin.size());
    } else {
      origin.clear();
      host.reset();
      const auto u = parse_url(url_text);
      if (!u) return error_kind::bad_url;
      host = resolve(u->host);
      if (host->error != error_kind::none) return host->error;  // not cached: looked up again
      port = u->port;
      after_target =
          fmt::format(" HTTP/1.1\r\nHost: {}\r\nUser-Agent: concur\r\n\r\n", u->authority());
      if (const auto slash = url_text.find('/', std::string_view("http://").size());
          slash != std::string_view::npos) {
        origin = url_text.substr(0, slash);
        target = url_text.substr(slash);
      } else {
        target = "/";  // a bare origin: not cached
      }
    }
    request.assign("GET ").append(target).append(after_target);
    return error_kind::none;
  }

  std::string origin;  // "http://authority" of the last URL that had a path and a host
  std::shared_ptr<const resolved_host> host;
  std::uint16_t port = 0;
  std::string after_target;
};

}  // namespace concur::http
