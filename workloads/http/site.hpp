#pragma once
// The seeded site the HTTP workloads run against: N HTML pages, each linking to F others, with
// faults placed by the seed. Pure data and functions (no sockets): the server serves it, the
// reference results are computed from it, `concur site export` writes it out.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/url.hpp"

namespace concur::http {

// What a page does when it is asked for. `unreachable` pages are served normally, but every link
// to them (and the fetch list) points at a port where nothing listens.
enum class fault { none, not_found, server_error, slow, truncated, unreachable };
std::string_view to_string(fault f);

// How many pages of each fault kind the seed places (never on the root page).
struct fault_counts {
  std::size_t not_found = 0, server_error = 0, slow = 0, truncated = 0, unreachable = 0;
  bool operator==(const fault_counts&) const = default;
};

struct site_spec {
  std::size_t pages = 100;
  std::size_t fanout = 4;
  std::uint64_t seed = 1;
  std::size_t body_bytes = 1024;         // bodies are padded to at least this size
  std::chrono::milliseconds latency{0};  // added to every response by an asynchronous timer
  fault_counts faults{};
  std::chrono::milliseconds slow_delay{3000};  // how long `slow` pages make a client wait
  bool operator==(const site_spec&) const = default;
  std::string key() const;  // one line naming every field, for maps and messages
};

// The body hash results carry: xxHash's XXH3-64 (seed 0), which the clients also compute as a
// body streams in (response_parser.hpp), so they need not keep it.
std::uint64_t body_hash(std::string_view bytes);

// The site itself, built once from a spec and the ports it is reachable on.
class site {
 public:
  // host: the numeric address pages are served on; dead_port: a port where nothing listens.
  site(const site_spec& spec, std::string host, std::uint16_t dead_port);

  const site_spec& spec() const { return spec_; }
  std::size_t pages() const { return spec_.pages; }
  fault fault_of(std::size_t page) const { return faults_.at(page); }
  const std::vector<std::size_t>& links(std::size_t page) const { return links_[page]; }
  const std::string& body(std::size_t page) const { return bodies_[page]; }
  static const std::string& not_found_body();
  static const std::string& server_error_body();
  std::uint16_t dead_port() const { return dead_port_; }

  // The path of page i ("/page/i"), and its page number from a request target.
  static std::string path(std::size_t page);
  std::optional<std::size_t> page_of(std::string_view target) const;
  // The URL clients use for page i when the site is served at host:port (any i: past the last
  // page it names a page the server answers 404 for).
  std::string url_of(std::size_t page, std::uint16_t port) const;

 private:
  site_spec spec_;
  std::string host_;
  std::uint16_t dead_port_;
  std::vector<fault> faults_;
  std::vector<std::vector<std::size_t>> links_;
  std::vector<std::string> bodies_;
};

// Writes the site as static files DIR/page/<i> (no extension: serve them as text/html), as any web
// server can serve it. Only what a static server can reproduce is written: pages that answer 200
// (links to unreachable pages included, pointing at the site's dead port). Pages that answer 404,
// 500, slowly or truncated have no file, so a static server answers 404 for them. Returns the
// number of files written; throws std::filesystem::filesystem_error.
std::size_t export_site(const site& s, const std::string& dir);

// Whether a page has a file in the export (see export_site).
bool exported(fault f);

}  // namespace concur::http
