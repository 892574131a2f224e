#include "workloads/http/site.hpp"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>

#include "core/names.hpp"

namespace concur::http {

constexpr name_entry<fault> fault_names[] = {
    {fault::none, "none"}, {fault::not_found, "404"},       {fault::server_error, "500"},
    {fault::slow, "slow"}, {fault::truncated, "truncated"}, {fault::unreachable, "unreachable"}};

std::string_view to_string(fault f) {
  return name_in(fault_names, f);
}

std::string site_spec::key() const {
  return fmt::format(
      "pages={} fanout={} seed={} body={} latency={}ms slow={}ms faults={}/{}/{}/{}/{}", pages,
      fanout, seed, body_bytes, latency.count(), slow_delay.count(), faults.not_found,
      faults.server_error, faults.slow, faults.truncated, faults.unreachable);
}

std::uint64_t body_hash(std::string_view bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

namespace {

constexpr std::string_view words[] = {"lorem", "ipsum",       "dolor",      "sit",
                                      "amet",  "consectetur", "adipiscing", "elit",
                                      "sed",   "do",          "eiusmod",    "tempor"};

}  // namespace

site::site(const site_spec& spec, std::string host, std::uint16_t dead_port)
    : spec_(spec), host_(std::move(host)), dead_port_(dead_port) {
  const std::size_t n = spec.pages;
  std::mt19937_64 rng(spec.seed);

  // Faults: a seeded shuffle of the non-root pages, taken in runs of each kind.
  faults_.assign(n, fault::none);
  if (n > 1) {
    std::vector<std::size_t> order(n - 1);
    std::iota(order.begin(), order.end(), std::size_t{1});
    std::shuffle(order.begin(), order.end(), rng);
    std::size_t next = 0;
    const std::pair<fault, std::size_t> runs[] = {{fault::not_found, spec.faults.not_found},
                                                  {fault::server_error, spec.faults.server_error},
                                                  {fault::slow, spec.faults.slow},
                                                  {fault::truncated, spec.faults.truncated},
                                                  {fault::unreachable, spec.faults.unreachable}};
    for (const auto& [kind, count] : runs)
      for (std::size_t k = 0; k < count && next < order.size(); ++k) faults_[order[next++]] = kind;
  }

  // Links: a tree of branching F-1 gives every page a depth from the root; the F-th link (and
  // any a leaf has spare) goes to a seeded page anywhere, making cycles and shared links.
  links_.resize(n);
  const std::size_t branching = spec.fanout > 1 ? spec.fanout - 1 : spec.fanout;
  for (std::size_t i = 0; i < n; ++i) {
    auto& out = links_[i];
    for (std::size_t k = 0; k < branching; ++k) {
      const std::size_t child = i * branching + 1 + k;
      if (child < n) out.push_back(child);
    }
    std::uniform_int_distribution<std::size_t> any(0, n - 1);
    for (int attempts = 0; out.size() < std::min(spec.fanout, n - 1) && attempts < 64; ++attempts) {
      const std::size_t target = any(rng);
      if (target != i && std::find(out.begin(), out.end(), target) == out.end())
        out.push_back(target);
    }
  }

  // Bodies: the links as HTML, padded with seeded words to the body size.
  bodies_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::string b = fmt::format(
        "<!doctype html>\n<html><head><title>page {0}</title></head>\n<body><h1>page "
        "{0}</h1>\n<ul>\n",
        i);
    for (std::size_t target : links_[i]) {
      const std::string href =
          faults_[target] == fault::unreachable ? url_of(target, 0) : path(target);
      b += fmt::format("<li><a href=\"{}\">page {}</a></li>\n", href, target);
    }
    b += "</ul>\n<p>";
    std::uniform_int_distribution<std::size_t> word(0, std::size(words) - 1);
    while (b.size() + 16 < spec.body_bytes) {
      b += words[word(rng)];
      b += ' ';
    }
    b += "</p>\n</body></html>\n";
    bodies_[i] = std::move(b);
  }
}

// Never destroyed: the embedded server's threads may still be sending them while the process
// exits and runs the static destructors.
const std::string& site::not_found_body() {
  static const auto* body =
      new std::string("<!doctype html>\n<html><body><h1>404 not found</h1></body></html>\n");
  return *body;
}

const std::string& site::server_error_body() {
  static const auto* body = new std::string(
      "<!doctype html>\n<html><body><h1>500 internal server error</h1></body></html>\n");
  return *body;
}

std::string site::path(std::size_t page) {
  return fmt::format("/page/{}", page);
}

std::optional<std::size_t> site::page_of(std::string_view target) const {
  constexpr std::string_view prefix = "/page/";
  if (!target.starts_with(prefix)) return std::nullopt;
  target.remove_prefix(prefix.size());
  std::size_t page = 0;
  const auto [end, ec] = std::from_chars(target.data(), target.data() + target.size(), page);
  if (ec != std::errc{} || end != target.data() + target.size() || page >= spec_.pages)
    return std::nullopt;
  return page;
}

std::string site::url_of(std::size_t page, std::uint16_t port) const {
  // url::str(): an IPv6 host in brackets, so a site served on ::1 links to URLs a client parses.
  return url{host_,
             page < faults_.size() && faults_[page] == fault::unreachable ? dead_port_ : port,
             path(page)}
      .str();
}

bool exported(fault f) {
  return f == fault::none || f == fault::unreachable;
}

std::size_t export_site(const site& s, const std::string& dir) {
  namespace fs = std::filesystem;
  const fs::path pages = fs::path(dir) / "page";
  std::error_code ec;
  fs::create_directories(pages, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot make {}: {}", pages.string(), ec.message()));
  std::size_t written = 0;
  for (std::size_t i = 0; i < s.pages(); ++i) {
    if (!exported(s.fault_of(i))) continue;
    const fs::path file = pages / std::to_string(i);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << s.body(i);
    out.close();  // a full disk shows at the flush
    if (!out)
      throw std::runtime_error(fmt::format("cannot write {}: {}", file.string(),
                                           errno != 0 ? std::strerror(errno) : "a write failed"));
    ++written;
  }
  return written;
}

}  // namespace concur::http
