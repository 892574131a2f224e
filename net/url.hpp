#pragma once
// An absolute http URL split into what a client needs to send a request, and the resolution of a
// page's links against it (RFC 3986, with Boost.URL in url.cpp). The rules are in README.md.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace concur::http {

struct url {
  std::string host;  // a registered name, an IPv4 address, or an IPv6 address (no brackets)
  std::uint16_t port = 80;
  std::string target;             // path and query, starting with '/'; never a fragment
  std::string authority() const;  // "host:port" as the Host header wants it ("[::1]:8080")
  std::string origin() const;     // "http://" + authority()
  // The URL as crawls key and send it: "http://host[:port]target", the port left out when it is
  // 80; parse_url(str()) gives this URL back.
  std::string str() const;
};

// An absolute http URL, normalised: scheme and host in lower case, percent-encoding normalised,
// dot segments removed, the fragment dropped, what may not appear in a URL (a space, a quote, a
// byte past ASCII) percent-encoded. Nothing for another scheme, a user name, a bad host or port.
std::optional<url> parse_url(std::string_view text);

// Each URL as parse_url gives it (str()), or as given where it does not parse; none when that is
// every URL as given (the common case, which then needs no copy of its URLs). A URL of the
// previous one's origin whose target is plain (no escape, dot segment or fragment) is kept without
// being parsed: 10,000 URLs of one origin took 1.5 µs each in Boost.URL, a tenth of a fetch.
std::optional<std::vector<std::string>> normalise_urls(const std::vector<std::string>& urls);

// A reference as written in a page (`href`: relative, absolute, "?q", "#frag", "//host/x")
// resolved against the page's URL per RFC 3986 and normalised as parse_url does. Nothing when the
// result is not an http URL (mailto:, javascript:, https:, ...) or cannot be parsed.
std::optional<url> resolve_url(const url& base, std::string_view reference);

// The same, telling apart what is not a link to follow (another scheme) from an http reference
// that names nothing a client can request (a user name, port 0 or past 65535, a host that is no
// name or address): `bad`, with the reference resolved as far as it went (`text`) and its host
// when it has one, so that a crawl reports it as fetch does (`bad url`) rather than dropping it.
struct reference_target {
  std::optional<url> to;
  bool bad = false;
  std::string text;                 // when bad: the resolved reference, or as written
  std::optional<std::string> host;  // when bad: its host in lower case, when it has one
};
reference_target resolve_reference(const url& base, std::string_view reference);

}  // namespace concur::http
