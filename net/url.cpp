// URLs with Boost.URL: parsing, RFC 3986 resolution and syntax-based normalisation.
#include "net/url.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <charconv>
#include <cstddef>
#include <utility>

namespace concur::http {
namespace {

namespace urls = boost::urls;

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// Characters a URI reference may hold outside an IPv6 literal and a '%' escape (RFC 3986:
// unreserved, sub-delims, and the delimiters of path and query).
bool plain_uri_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("-._~!$&'()*+,;=:/?@").find(c) != std::string_view::npos;
}

// Where the authority of `ref` ends, when it has one ("http://h/x", "//h/x"): brackets before
// it belong to an IPv6 literal; elsewhere they are encoded.
std::size_t authority_end(std::string_view ref) {
  std::size_t start = std::string_view::npos;
  if (ref.starts_with("//")) {
    start = 2;
  } else if (const auto colon = ref.find(':');
             colon != std::string_view::npos && ref.substr(colon + 1).starts_with("//")) {
    start = colon + 3;
  }
  if (start == std::string_view::npos) return 0;
  return std::min(ref.find_first_of("/?", start), ref.size());
}

// What browsers and wget do to an attribute's value before parsing it: leading and trailing
// whitespace dropped, tabs and newlines removed, the fragment cut off, and every character a URI
// may not hold percent-encoded (a space, '"', '<', '|', a byte past ASCII, a '%' that starts no
// escape), so that such a link is requested rather than refused or sent raw.
std::string clean(std::string_view ref) {
  constexpr std::string_view space = " \t\n\f\r";
  const auto first = ref.find_first_not_of(space);
  ref = first == std::string_view::npos ? std::string_view{} : ref.substr(first);
  ref = ref.substr(0, ref.find_last_not_of(space) + 1);
  ref = ref.substr(0, ref.find('#'));
  const std::size_t host_end = authority_end(ref);
  std::string out;
  out.reserve(ref.size());
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const char c = ref[i];
    if (c == '\t' || c == '\n' || c == '\r') continue;
    const bool keep = plain_uri_char(c) || ((c == '[' || c == ']') && i < host_end) ||
                      (c == '%' && i + 2 < ref.size() && is_hex(ref[i + 1]) && is_hex(ref[i + 2]));
    if (keep)
      out += c;
    else
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
  }
  return out;
}

// A host whose last label is a number must be an IPv4 address (as browsers have it): "1.2.3" and
// "1.2.3.256" are not names to look up.
bool numeric_but_not_ipv4(std::string_view host) {
  const auto label = host.substr(host.rfind('.') + 1);
  return !label.empty() && std::all_of(label.begin(), label.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// The host and port of a resolved URL; nothing for what a client cannot request.
std::optional<url> from_view(const urls::url_view_base& u) {
  if (u.scheme_id() != urls::scheme::http || !u.has_authority() || u.has_userinfo())
    return std::nullopt;
  url out;
  switch (u.host_type()) {
    case urls::host_type::ipv4:
      out.host = u.host_ipv4_address().to_string();
      break;
    case urls::host_type::ipv6:
      out.host = u.host_ipv6_address().to_string();
      break;
    case urls::host_type::name:
      out.host = u.host_name();
      if (out.host.empty() || numeric_but_not_ipv4(out.host) ||
          out.host.find_first_of(" %/[]:") != std::string::npos)
        return std::nullopt;
      break;
    default:
      return std::nullopt;
  }
  if (const auto digits = u.port(); !digits.empty()) {
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc{} || end != digits.data() + digits.size() || port == 0 || port > 65535)
      return std::nullopt;
    out.port = static_cast<std::uint16_t>(port);
  }
  return out;
}

bool unreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

// RFC 3986 section 6.2.2.1-2 done before Boost.URL sees the text: escapes of unreserved
// characters decoded, every other escape kept with its hex in upper case and hidden as "%25XY"
// (see reveal_escapes). Boost.URL 1.81's resolve() and normalize() decode "%2F" into '/', which
// names another resource; hidden, every escape survives them as it is. `s` is clean(): each '%'
// starts an escape.
std::string hide_escapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%' || i + 2 >= s.size()) {
      out += s[i];
      continue;
    }
    unsigned value = 0;
    std::from_chars(s.data() + i + 1, s.data() + i + 3, value, 16);
    if (unreserved(static_cast<char>(value)))
      out += static_cast<char>(value);
    else
      out += fmt::format("%25{:02X}", value);
    i += 2;
  }
  return out;
}

std::string reveal_escapes(std::string_view s) {
  std::string out(s);
  for (auto pos = out.find("%25"); pos != std::string::npos; pos = out.find("%25", pos + 1))
    out.erase(pos + 1, 2);
  return out;
}

// Boost.URL 1.81's resolve() keeps the ".." segments that would climb above the root, where
// RFC 3986 section 5.2.4 drops them ("/../g" is "/g").
std::string_view drop_climbs_above_root(std::string_view path) {
  while (path.starts_with("/..") && (path.size() == 3 || path[3] == '/'))
    path.remove_prefix(path.size() == 3 ? 2 : 3);
  return path;
}

std::optional<url> normalised(urls::url u) {
  u.normalize_scheme();
  u.normalize_authority();  // the host in lower case
  auto out = from_view(u);
  if (!out) return std::nullopt;
  out->target = reveal_escapes(drop_climbs_above_root(u.encoded_path()));
  // Appended piece by piece: GCC 12 at -O2 warns falsely (-Wrestrict, its bug 105329) on
  // assigning or prepending a literal here.
  if (out->target.empty()) out->target.push_back('/');
  if (u.has_query()) {
    out->target.push_back('?');
    out->target += reveal_escapes(u.encoded_query());
  }
  return out;
}

}  // namespace

std::string url::authority() const {
  return host.find(':') == std::string::npos ? fmt::format("{}:{}", host, port)
                                             : fmt::format("[{}]:{}", host, port);
}

std::string url::origin() const {
  return "http://" + authority();
}

std::string url::str() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  const std::string h = ipv6 ? "[" + host + "]" : host;
  return port == 80 ? fmt::format("http://{}{}", h, target)
                    : fmt::format("http://{}:{}{}", h, port, target);
}

std::optional<url> parse_url(std::string_view text) {
  // A URL given whole (a command line's, not a page's link) with a control character inside is
  // refused, as Boost.URL refuses it, not cleaned: "http://h/a\r\nX: 1" names no resource.
  constexpr std::string_view space = " \t\n\f\r";
  const auto first = text.find_first_not_of(space), last = text.find_last_not_of(space);
  if (first != std::string_view::npos &&
      std::any_of(text.begin() + first, text.begin() + last + 1,
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    return std::nullopt;
  const std::string cleaned = hide_escapes(clean(text));
  const auto parsed = urls::parse_uri(cleaned);
  if (!parsed) return std::nullopt;
  // Resolving against itself removes the dot segments as RFC 3986 section 5.2 does.
  urls::url out;
  if (!urls::resolve(*parsed, *parsed, out)) return std::nullopt;
  return normalised(std::move(out));
}

namespace {

// A target parse_url leaves as it is: nothing to encode or decode, no dot segment, no fragment.
bool plain_target(std::string_view t) {
  if (!t.starts_with('/') || t.find("/.") != std::string_view::npos) return false;
  return std::all_of(t.begin(), t.end(), plain_uri_char);
}

// What normalise_urls changes, by index.
std::vector<std::pair<std::size_t, std::string>> url_changes(const std::vector<std::string>& urls) {
  std::vector<std::pair<std::size_t, std::string>> out;
  std::string origin;  // "http://authority" of the last URL parse_url gave back unchanged
  for (std::size_t i = 0; i < urls.size(); ++i) {
    const std::string_view text = urls[i];
    const auto slash = text.find('/', std::string_view("http://").size());
    const std::string_view head = text.substr(0, slash);
    if (!origin.empty() && head == origin && slash != std::string::npos &&
        plain_target(text.substr(slash)))
      continue;
    const auto u = parse_url(text);
    auto normal = u ? u->str() : std::string(text);
    const bool same = normal == text;
    origin = u && same && slash != std::string::npos ? std::string(head) : "";
    if (!same) out.emplace_back(i, std::move(normal));
  }
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> normalise_urls(const std::vector<std::string>& urls) {
  auto changes = url_changes(urls);
  if (changes.empty()) return std::nullopt;
  std::vector<std::string> out = urls;
  for (auto& [i, normal] : changes) out[i] = std::move(normal);
  return out;
}

reference_target resolve_reference(const url& base, std::string_view reference) {
  // An absolute path with a plain target ("/page/3") resolves to the base's host and port and
  // itself (RFC 3986 section 5.2.2, no dot segment to remove): the common link, without a parse.
  if (const auto path = reference.substr(0, reference.find('#'));
      !path.starts_with("//") && plain_target(path))
    return {.to = url{base.host, base.port, std::string(path)}};
  const std::string cleaned = hide_escapes(clean(reference));
  const auto ref = urls::parse_uri_reference(cleaned);
  if (!ref) {
    // Unparsed, a reference is bad when it is http's or relative (it would be the page's host's).
    const auto colon = cleaned.find(':');
    const auto slash = cleaned.find('/');
    const auto lower = [](unsigned char c) { return static_cast<char>(std::tolower(c)); };
    std::string scheme = colon < slash ? cleaned.substr(0, colon) : "";
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), lower);
    const bool other_scheme = !scheme.empty() && scheme != "http";
    return {.bad = !other_scheme, .text = reveal_escapes(cleaned)};
  }
  if (ref->has_scheme() && ref->scheme_id() != urls::scheme::http) return {};
  const std::string base_text = hide_escapes(base.str());
  urls::url out;
  if (!urls::resolve(urls::url_view(base_text), *ref, out))
    return {.bad = true, .text = reveal_escapes(cleaned)};
  out.normalize_authority();
  const std::string resolved = reveal_escapes(out.buffer());
  std::string host(out.encoded_host_address());
  if (auto u = normalised(std::move(out))) return {.to = std::move(u)};
  return {.bad = true, .text = resolved, .host = std::move(host)};
}

std::optional<url> resolve_url(const url& base, std::string_view reference) {
  return resolve_reference(base, reference).to;
}

}  // namespace concur::http
