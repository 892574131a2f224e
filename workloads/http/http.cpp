#include "workloads/http/http.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/cpu_time.hpp"
#include "core/diff.hpp"
#include "core/vocabulary.hpp"
#include "workloads/http/links.hpp"
#include "workloads/http/nginx.hpp"
#include "workloads/http/server.hpp"
#include "workloads/http/wrk.hpp"

namespace concur::http {

namespace {

std::string redirect_note(std::size_t redirects, const std::string& final_url) {
  return redirects == 0 ? std::string()
                        : fmt::format(" -> {} ({} redirect{})", final_url, redirects,
                                      redirects == 1 ? "" : "s");
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// The answers to a batch after their redirects: the last hop's answer per URL, and for a URL
// that was redirected, where it ended and its chain. A URL without a redirect costs its answer
// alone (a fetch of 10,000 pages copies none of their URLs and holds each answer once).
struct following {
  struct hops {
    std::vector<std::string> chain;  // the URLs asked for, the first and the final one included
    std::size_t redirects() const { return chain.size() - 1; }
    const std::string& final_url() const { return chain.back(); }
  };
  std::vector<response> answers;
  std::unordered_map<std::size_t, hops> redirected;

  std::size_t redirects(std::size_t i) const {
    const auto h = redirected.find(i);
    return h == redirected.end() ? 0 : h->second.redirects();
  }
  // Empty without a redirect.
  const std::string& final_url(std::size_t i) const {
    static const std::string none;
    const auto h = redirected.find(i);
    return h == redirected.end() ? none : h->second.final_url();
  }
};

// GETs every URL, then the Location of every redirect among the answers, a gather per hop, until
// no answer is a redirect; a chain that returns to one of its URLs, has more than
// `max_redirects` hops, or whose Location is no http URL ends with an error.
following get_following(const getter& get, const std::vector<std::string>& urls,
                        std::size_t max_redirects) {
  following out{.answers = get(urls)};
  std::vector<std::size_t> pending, next_pending;  // batch[k] is for out.answers[pending[k]]
  std::vector<std::string> batch, next_batch;
  // Looks at the answer out.answers[i] to a GET of `from`; queues the next hop of a redirect.
  const auto settle = [&](std::size_t i, const std::string& from) {
    auto& r = out.answers[i];
    if (r.error != error_kind::none || !is_redirect(r.status) || r.location.empty()) return;
    const auto here = parse_url(from);
    const auto to = here ? resolve_url(*here, r.location) : std::nullopt;
    auto& chain = out.redirected[i].chain;
    if (chain.empty()) chain.push_back(from);
    if (!to) {
      r.error = error_kind::bad_url;
    } else if (std::find(chain.begin(), chain.end(), to->str()) != chain.end()) {
      r.error = error_kind::redirect_loop;
    } else if (chain.size() - 1 == max_redirects) {
      r.error = error_kind::too_many_redirects;
    } else {
      chain.push_back(to->str());
      next_pending.push_back(i);
      next_batch.push_back(chain.back());
    }
    if (chain.size() == 1) out.redirected.erase(i);  // no hop was followed
  };
  for (std::size_t i = 0; i < urls.size(); ++i) settle(i, urls[i]);
  while (!next_batch.empty()) {
    pending.swap(next_pending);
    batch.swap(next_batch);
    next_pending.clear();
    next_batch.clear();
    auto answers = get(batch);
    for (std::size_t k = 0; k < batch.size(); ++k) {
      out.answers[pending[k]] = std::move(answers[k]);
      settle(pending[k], batch[k]);
    }
  }
  return out;
}

// A URL as given, with its control characters escaped ("\r\n" as the four characters): one
// line per URL, whatever the command line held.
std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r')
      out += "\\r";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (byte < 0x20 || byte == 0x7f)
      out += fmt::format("\\x{:02x}", byte);
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string describe(const page_result& p) {
  const auto after = redirect_note(p.redirects, p.final_url);
  const auto url = printable(p.url);
  if (p.error != error_kind::none) return fmt::format("{} {}{}", to_string(p.error), url, after);
  return fmt::format("{} {} bytes #{:016x} {}{}", p.status, p.body_bytes, p.body_hash, url, after);
}

std::string describe(const visit& v) {
  const auto after = redirect_note(v.redirects, v.final_url);
  const auto url = printable(v.url);
  if (v.error != error_kind::none)
    return fmt::format("{} {} {}{}", v.depth, to_string(v.error), url, after);
  return fmt::format("{} {} {} bytes {}{}", v.depth, v.status, v.body_bytes, url, after);
}

fetch_result fetch(const getter& get, const std::vector<std::string>& urls,
                   const client_tally& tally, std::size_t max_redirects) {
  const auto normalised = normalise_urls(urls);
  const auto answers = get_following(get, normalised ? *normalised : urls, max_redirects);
  fetch_result out;
  out.pages.reserve(urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    const auto& r = answers.answers[i];
    out.pages.push_back({.url = urls[i],
                         .status = r.status,
                         .body_bytes = r.error == error_kind::none ? r.body_bytes : 0,
                         .body_hash = r.error == error_kind::none ? r.body_hash : 0,
                         .error = r.error,
                         .redirects = answers.redirects(i),
                         .final_url = answers.final_url(i)});
  }
  out.requests_sent = tally.requests_sent;
  out.bytes_received = tally.bytes_received;
  out.measured.connections_opened = tally.connections_opened;
  return out;
}

namespace {

// The results of a crawl's visits, keyed by normalised URL.
crawl_result crawl_result_of(std::map<std::string, visit>& seen,
                             std::set<std::pair<std::string, std::string>>& edges,
                             const client_tally& tally) {
  crawl_result out;
  for (auto& [url, v] : seen) {
    if (v.error != error_kind::none)
      out.errors.push_back(fmt::format("{}: {}", url, to_string(v.error)));
    else if (v.status >= 400)
      out.errors.push_back(fmt::format("{}: HTTP {}", url, v.status));
    out.visited.push_back(std::move(v));
  }
  out.edges.assign(edges.begin(), edges.end());
  out.requests_sent = tally.requests_sent;
  out.bytes_received = tally.bytes_received;
  out.measured.connections_opened = tally.connections_opened;
  return out;
}

// Where a page's links lead, each once, in the order of their first appearance (the links, then
// the bad ones): a repeat adds no edge and no visit, so the crawl's driver is spared it.
std::vector<link_target> targets_of(page_links&& page) {
  std::vector<link_target> out;
  std::unordered_set<std::string> seen;
  const auto add = [&](std::string to, std::optional<std::string> host) {
    if (seen.insert(to).second) out.push_back({std::move(to), std::move(host)});
  };
  for (auto& link : page.links) {
    auto to = link.str();  // before the host is moved out
    add(std::move(to), std::move(link.host));
  }
  // Followed as written, a bad link is the error `bad url` a fetch of it gives, not dropped.
  for (auto& b : page.bad) add(std::move(b.text), std::move(b.host));
  return out;
}

// A 200 answer's links once read: by a link_body_reader, or elsewhere (give_links).
class links_read : public body_reader {
 public:
  explicit links_read(std::vector<link_target> targets = {}) : targets_(std::move(targets)) {}
  void feed(std::string_view) override {}
  void finish() override {}
  std::vector<link_target> take() { return std::move(targets_); }

 protected:
  std::vector<link_target> targets_;
};

// A 200 answer's links, read in the thread that received it as its body streamed in.
class link_body_reader final : public links_read {
 public:
  explicit link_body_reader(url page) : reader_(std::move(page), link_reader::repeats::dropped) {}
  void feed(std::string_view piece) override { reader_.feed(piece); }
  void finish() override { targets_ = targets_of(reader_.finish()); }

 private:
  link_reader reader_;
};

// Where a 200 answer's links lead: read as its body arrived (crawl_options), or from its body.
std::vector<link_target> targets_of(response& r, const url& base) {
  if (auto links = take_links(r)) return std::move(*links);
  return targets_of(extract_page_links(r.body, base));
}

// A level's visits (its pages and where their redirects ended) to on_visit, by URL.
void report_level(std::vector<const visit*>& visits,
                  const std::function<void(const visit&)>& on_visit) {
  std::sort(visits.begin(), visits.end(), [](auto* a, auto* b) { return a->url < b->url; });
  for (const visit* v : visits) on_visit(*v);
}

}  // namespace

std::optional<std::vector<link_target>> take_links(response& r) {
  if (auto* read = dynamic_cast<links_read*>(r.reader.get())) return read->take();
  return std::nullopt;
}

void give_links(response& r, std::vector<link_target> links) {
  r.reader = std::make_unique<links_read>(std::move(links));
}

client_options crawl_options(client_options options) {
  options.keep_bodies = false;
  options.read_bodies = [](std::string_view at) -> std::unique_ptr<body_reader> {
    auto page = parse_url(at);
    if (!page) return nullptr;
    return std::make_unique<link_body_reader>(std::move(*page));
  };
  return options;
}

crawl_result crawl(const getter& get, const std::string& root, std::size_t depth,
                   const client_tally& tally, const crawl_rules& rules) {
  const auto start = parse_url(root);
  const std::string first = start ? start->str() : root;
  std::map<std::string, visit> seen{{first, visit{.url = first}}};
  std::set<std::pair<std::string, std::string>> edges;
  std::vector<std::string> level{first};
  for (std::size_t d = 0; !level.empty(); ++d) {
    auto answers = get_following(get, level, rules.max_redirects);  // a gather per level and hop
    // Where redirects ended counts as visited before any link of the level is followed: a page
    // reached by a redirect is not fetched again for a link.
    std::vector<std::optional<url>> bases(level.size());
    std::vector<const visit*> visits;
    for (std::size_t i = 0; i < level.size(); ++i) {
      const auto& r = answers.answers[i];
      const auto redirects = answers.redirects(i);
      const auto& final_url = answers.final_url(i);
      auto& v = seen.at(level[i]);
      visits.push_back(&v);
      v.status = r.status;
      v.error = r.error;
      v.redirects = redirects;
      v.final_url = final_url;
      if (r.error == error_kind::none) v.body_bytes = r.body_bytes;
      if (r.error != error_kind::none || r.status != 200) continue;
      bases[i] = parse_url(redirects ? final_url : level[i]);
      if (redirects && bases[i] && !seen.contains(final_url))
        visits.push_back(&seen.emplace(final_url, visit{.url = final_url,
                                                        .depth = d,
                                                        .status = r.status,
                                                        .body_bytes = r.body_bytes})
                              .first->second);
    }
    if (rules.on_visit) report_level(visits, rules.on_visit);
    std::vector<std::string> next;
    for (std::size_t i = 0; i < level.size(); ++i) {
      // Off-host pages (a redirect took us there) are not read, as links to them are not.
      if (!bases[i] || (!rules.span_hosts && start && bases[i]->host != start->host)) continue;
      const auto& from = answers.redirects(i) ? answers.final_url(i) : level[i];
      auto targets = targets_of(answers.answers[i], *bases[i]);
      const auto follow = [&](std::string to, const std::optional<std::string>& host) {
        edges.emplace(from, to);
        if (d < depth && seen.size() < rules.max_pages && !seen.contains(to) &&
            (rules.span_hosts || !host || *host == start->host)) {
          seen.emplace(to, visit{.url = to, .depth = d + 1});
          next.push_back(std::move(to));
        }
      };
      for (auto& t : targets) follow(std::move(t.to), t.host);
    }
    level = std::move(next);
  }
  return crawl_result_of(seen, edges, tally);
}

getter make_getter(std::string_view model, const client_options& options,
                   const models::config& config, client_tally& tally) {
  return models::visit(
      model, [&]<class M>() -> getter { return make_getter(M{}, options, config, tally); });
}

namespace {

double children_cpu() {
  rusage children{};
  ::getrusage(RUSAGE_CHILDREN, &children);
  return cpu_time::of_usage(children);
}

}  // namespace

client_cpu::client_cpu(const site_server* server)
    : server_(server),
      process_(cpu_time::of_process()),
      children_(children_cpu()),
      server_start_(server ? server->cpu_seconds() : 0) {}

double client_cpu::seconds() const {
  const double served = server_ ? server_->cpu_seconds() - server_start_ : 0;
  return (cpu_time::of_process() - process_) + (children_cpu() - children_) - served;
}

concur::metrics measures_metrics(const run_measures& m, std::size_t requests) {
  return {{std::string(vocabulary::counters::client_cpu_us_per_req),
           requests ? m.client_cpu_seconds * 1e6 / static_cast<double>(requests) : 0.0},
          {"connections", static_cast<double>(m.connections_opened)}};
}

namespace {

// A request costs at least this much on loopback (wrk's rate on the reference machine).
constexpr double floor_seconds_per_request = 10e-6;

// What the site answers, computed from the site itself: the oracle that needs no run.
getter reference_getter(const site& s, std::uint16_t port, std::chrono::milliseconds timeout,
                        client_tally& tally) {
  return [&s, port, timeout, &tally](const std::vector<std::string>& urls) {
    std::vector<response> out(urls.size());
    for (std::size_t i = 0; i < urls.size(); ++i) {
      auto& r = out[i];
      const auto u = parse_url(urls[i]);
      if (!u) {
        r.error = error_kind::bad_url;
        continue;
      }
      if (u->port == s.dead_port() || u->port != port) {
        r.error = error_kind::refused;
        continue;
      }
      r.sent = true;
      ++tally.requests_sent;
      const auto page = s.page_of(u->target);
      const fault kind = page ? s.fault_of(*page) : fault::not_found;
      auto delay = s.spec().latency;
      if (kind == fault::slow) delay += s.spec().slow_delay;
      if (delay >= timeout) {
        r.error = error_kind::timed_out;
        continue;
      }
      if (kind == fault::truncated) {
        r.error = error_kind::reset;
        continue;
      }
      r.status = kind == fault::not_found ? 404 : kind == fault::server_error ? 500 : 200;
      r.body = kind == fault::not_found      ? site::not_found_body()
               : kind == fault::server_error ? site::server_error_body()
                                             : s.body(*page);
      r.body_bytes = r.body.size();
      r.body_hash = body_hash(r.body);
      tally.bytes_received += r.body.size();
    }
    return out;
  };
}

// The crawl's level sizes, from the site graph alone (no server needed).
std::vector<std::size_t> crawl_levels(const site_spec& spec, std::size_t depth) {
  const site s(spec, "127.0.0.1", 1);
  std::vector<std::size_t> sizes;
  std::vector<bool> seen(spec.pages);
  std::vector<std::size_t> level{0};
  seen[0] = true;
  for (std::size_t d = 0; !level.empty(); ++d) {
    sizes.push_back(level.size());
    std::vector<std::size_t> next;
    for (std::size_t page : level) {
      const fault f = s.fault_of(page);
      if (d == depth || f == fault::not_found || f == fault::server_error || f == fault::slow ||
          f == fault::truncated || f == fault::unreachable)
        continue;
      for (std::size_t target : s.links(page))
        if (!seen[target]) {
          seen[target] = true;
          next.push_back(target);
        }
    }
    level = std::move(next);
  }
  return sizes;
}

std::size_t in_flight(const client_options& c, models::in_flight limit) {
  return std::max<std::size_t>(1, limit ? std::min(c.concurrency, *limit) : c.concurrency);
}

}  // namespace

std::pair<std::vector<std::string>, std::uint16_t> fetch_urls(const fetch_params& p) {
  std::vector<std::string> urls(p.site.pages);
  const auto fill = [&](const auto& server) {
    for (std::size_t i = 0; i < urls.size(); ++i) urls[i] = server.url_of(p.one_page ? 1 : i);
    return std::pair{std::move(urls), server.port()};
  };
  return p.via_nginx ? fill(shared_nginx(p.site)) : fill(embedded_server(p.site));
}

fetch_result run_fetch(const fetch_params& p, const models::config& config,
                       const getter_maker& make) {
  const auto& server = embedded_server(p.site);
  const auto urls = fetch_urls(p).first;
  client_tally tally;
  const client_cpu cpu(&server);
  const auto client = make(p.client, config, tally);
  fetch_result out = fetch(client.get, urls, tally);
  if (client.end) client.end();
  out.measured.client_cpu_seconds = cpu.seconds();
  return out;
}

std::string crawl_root(const crawl_params& p) {
  return p.real ? root_url(*p.real) : embedded_server(p.site).root_url();
}

crawl_result run_crawl(const crawl_params& p, const models::config& config,
                       const getter_maker& make) {
  const std::string root = crawl_root(p);
  client_tally tally;
  const client_cpu cpu(p.real ? nullptr : &embedded_server(p.site));
  const auto client = make(crawl_options(p.client), config, tally);
  crawl_result out = crawl(client.get, root, p.depth, tally);
  if (client.end) client.end();
  out.measured.client_cpu_seconds = cpu.seconds();
  return out;
}

namespace {

// The fault cases' per-request timeout: far below the slow pages' delay (3 s), far above what a
// loaded 2-core machine running sanitized tests two at a time takes for a plain page (250 ms
// was not: a plain page timed out there and the crawl differed).
constexpr std::chrono::milliseconds fault_case_timeout{1000};

// A small site with two pages of every fault kind.
site_spec faulty_site() {
  return {
      .pages = 40,
      .fanout = 3,
      .seed = 4,
      .body_bytes = 512,
      .faults = {.not_found = 2, .server_error = 2, .slow = 2, .truncated = 2, .unreachable = 2},
      .slow_delay = std::chrono::milliseconds(3000)};
}

}  // namespace

// ---- fetch

namespace {

// The site of the throughput case (n10000_c64) at N pages, fetched over C connections.
fetch_params throughput_site(std::size_t pages, std::size_t connections) {
  return {{.pages = pages, .fanout = 4, .seed = 1, .body_bytes = 512},
          {connections, std::chrono::milliseconds(5000)}};
}

// The size ladders of fetch: N at C = 64 and C at N = 10,000, both through n10000_c64 (whose
// twin c64_n10000 is the rung of the second); and both ends of C on a test-sized site.
constexpr std::string_view urls_axis = "URLs at C = 64";
constexpr std::string_view connections_axis = "connections at N = 10,000";

void add_fetch_ladders(std::vector<case_def<fetch_params>>& out) {
  const auto rung = [&](std::string name, std::string_view axis, std::size_t size, fetch_params p) {
    out.push_back({.name = std::move(name),
                   .kind = case_kind::sweep,
                   .params = std::move(p),
                   .ladder = ladder_point{std::string(axis), static_cast<double>(size)}});
  };
  for (const std::size_t n : {1'000, 3'000, 30'000, 100'000})
    rung(fmt::format("n{}_c64", n), urls_axis, n, throughput_site(n, 64));
  for (const std::size_t c : {1, 4, 16, 64, 256})
    rung(fmt::format("c{}_n10000", c), connections_axis, c, throughput_site(10'000, c));
  for (const std::size_t c : {1, 256})
    out.push_back({fmt::format("c{}_n200", c), case_kind::test, throughput_site(200, c)});
}

}  // namespace

std::vector<case_def<fetch_params>> fetch_workload::cases() {
  using std::chrono::milliseconds;
  std::vector<case_def<fetch_params>> out{
      {"faults_n40_c4", case_kind::test, {faulty_site(), {4, fault_case_timeout}}},
      {"lat5ms_n60_c8",
       case_kind::test,
       {{.pages = 60, .fanout = 4, .seed = 3, .body_bytes = 2048, .latency = milliseconds(5)},
        {8, milliseconds(5000)}}},
      // The embedded server's every page: --sweep's (the default run's throughput case is
      // nginx's one page, wrk's work), with the course's Python beside the models.
      {.name = "n10000_c64",
       .kind = case_kind::sweep,
       .params = {.site = {.pages = 10'000, .fanout = 4, .seed = 1, .body_bytes = 512},
                  .client = {64, milliseconds(5000)},
                  .wrk_baseline = true,
                  .python_baselines = true},
       .ladder = ladder_point{std::string(urls_axis), 10'000}},
      {"lat20ms_n640_c64",
       case_kind::bench,
       {{.pages = 640, .fanout = 4, .seed = 2, .body_bytes = 1024, .latency = milliseconds(20)},
        {64, milliseconds(5000)}}},
  };
  // An external peer when installed: the throughput case against nginx serving the same site
  // (--sweep's: the default run has that work against the embedded server), and its one-page
  // twin, the work of wrk on one URL.
  if (net::nginx_server::binary()) {
    const fetch_params via_nginx{{.pages = 10'000, .fanout = 4, .seed = 1, .body_bytes = 512},
                                 {64, milliseconds(5000)},
                                 true,
                                 true};
    out.push_back({"nginx_n10000_c64", case_kind::sweep, via_nginx});
    auto one_page = via_nginx;
    one_page.one_page = true;
    out.push_back({"nginx_page1_n10000_c64", case_kind::bench, one_page});
  }
  add_fetch_ladders(out);
  // The course's Python beside the models on the bench cases (the one-page twin is wrk's work).
  for (auto& c : out)
    if (c.kind == case_kind::bench && !c.params.one_page) c.params.python_baselines = true;
  return out;
}

namespace {

// wrk at the case's connection count, against the same server.
baseline wrk_baseline(const fetch_params& p) {
  static constexpr unsigned seconds = 1;
  // wrk does the case's work: on one page it formats its request once (its fastest way); on
  // every page in turn it runs a Lua script per request, which costs it about 1 µs of CPU.
  baseline b{.name = "wrk",
             .settings = fmt::format(
                 "{}: wrk -t1 -c{} -d{}s on {} of the same server; time = the case's requests at "
                 "wrk's requests/s",
                 vocabulary::external_program, p.client.concurrency, seconds,
                 p.one_page ? "the case's one page" : "every page in turn (a Lua script)")};
  if (!wrk_binary()) {
    b.unavailable = "wrk is not installed (Debian package wrk)";
    return b;
  }
  b.self_timed = [p]() {
    const auto [urls, port] = fetch_urls(p);
    wrk_options o{.url = urls.front(), .connections = p.client.concurrency, .seconds = seconds};
    if (!p.one_page)
      for (const auto& u : urls) o.targets.push_back(parse_url(u).value().target);
    const auto r = run_wrk(o);
    const double requests = static_cast<double>(urls.size());
    return baseline_run{
        .seconds = r.requests_per_second > 0 ? requests / r.requests_per_second : 0.0,
        .cpu_seconds = r.cpu_per_request() * requests,
        .measured = {{std::string(vocabulary::counters::client_cpu_us_per_req),
                      r.cpu_per_request() * 1e6},
                     {"connections", static_cast<double>(p.client.concurrency)}},
        .problem = r.problem()};
  };
  return b;
}

}  // namespace

std::vector<baseline> fetch_workload::baselines(const fetch_params& p) {
  if (!p.wrk_baseline) return {};
  return {wrk_baseline(p)};
}

fetch_result fetch_workload::reference(const fetch_params& p) {
  const auto& server = embedded_server(p.site);
  const auto [urls, port] = fetch_urls(p);
  client_tally tally;
  return fetch(reference_getter(server.site(), port, p.client.timeout, tally), urls, tally);
}

double fetch_workload::ideal_seconds(const fetch_params& p, models::in_flight limit) {
  // Every request waits the latency once; k in flight need ceil(N / k) rounds of it.
  const double n = static_cast<double>(p.site.pages);
  const double rounds = std::ceil(n / static_cast<double>(in_flight(p.client, limit)));
  return std::max(rounds * std::chrono::duration<double>(p.site.latency).count(),
                  n * floor_seconds_per_request);
}

std::string fetch_workload::describe_diff(const fetch_result& expected,
                                          const fetch_result& actual) {
  return diff{}
      .field("requests sent", expected.requests_sent, actual.requests_sent)
      .field("bytes received", expected.bytes_received, actual.bytes_received)
      .sequence("pages", expected.pages, actual.pages,
                [](const page_result& p) { return describe(p); })
      .str();
}

// ---- crawl

namespace {

// The bench's real site: Python 3.11's documentation as Debian installs it. To depth 2 from its
// index a crawl visits 518 pages, 50 MB of HTML (wget 1.21.3 on python3.11-doc
// 3.11.2-6+deb12u9), one of them a broken link; wget takes about 2 s on it here.
real_site python_docs() {
  return {.package = "python3.11-doc",
          .directory = "/usr/share/doc/python3.11/html",
          .root_page = "/index.html",
          .pages = 518};
}

// The real site's per-request timeout only ends a hang: it bounds the wait for a page, not its
// speed. A request's time includes its turn on a loop that parses 64 pages' links, and under a
// sanitizer on a loaded machine the largest pages (1.7 MB) took over 5 s there; wget's own
// default is 900 s.
constexpr std::chrono::milliseconds real_site_timeout{30'000};

void add_real_site(std::vector<case_def<crawl_params>>& out) {
  crawl_params p{.depth = 2, .client = {64, real_site_timeout}};
  p.python_baselines = true;
  p.real = python_docs();
  std::string why = unavailable(*p.real);
  out.push_back({.name = "python_docs_d2_c64",
                 .kind = case_kind::bench,
                 .params = std::move(p),
                 .unavailable = std::move(why)});
}

}  // namespace

std::vector<case_def<crawl_params>> crawl_workload::cases() {
  using std::chrono::milliseconds;
  std::vector<case_def<crawl_params>> out{
      {"faults_n40_d6_c4", case_kind::test, {faulty_site(), 6, {4, fault_case_timeout}}},
      {"lat5ms_n60_d3_c8",
       case_kind::test,
       {{.pages = 60, .fanout = 4, .seed = 3, .body_bytes = 2048, .latency = milliseconds(5)},
        3,
        {8, milliseconds(5000)}}},
  };
  // The size ladder of pages crawled: sites of one shape, deep enough for the crawl to reach
  // (nearly) every page; and the shape test-sized. The rungs of 300 and 1,000 pages are in the
  // default run, as the models' order differs between them (the summary ranks crawl over both and
  // the real site); the course's Python crawls the first. 100 pages is --sweep's: its order was
  // 300's (coroutines, coroutines_mt, fibers and threads tied at 88-90 ms, then executor, tbb).
  const auto site_of = [](std::size_t pages, std::size_t depth, milliseconds latency) {
    return crawl_params{
        {.pages = pages, .fanout = 7, .seed = 4, .body_bytes = 1024, .latency = latency},
        depth,
        {64, milliseconds(5000)}};
  };
  out.push_back({"lat1ms_n100_d3_c64", case_kind::test, site_of(100, 3, milliseconds(1))});
  for (const auto& [pages, depth] : {std::pair{100, 3}, {300, 3}, {1'000, 4}}) {
    auto p = site_of(pages, depth, milliseconds(20));
    p.python_baselines = pages == 300;
    const double crawled = items(p);
    out.push_back({.name = fmt::format("lat20ms_n{}_d{}_c64", pages, depth),
                   .kind = pages == 100 ? case_kind::sweep : case_kind::bench,
                   .params = std::move(p),
                   .ladder = ladder_point{"pages", crawled}});
  }
  // A real site nobody here wrote, beside wget; skipped with the reason without nginx, wget or
  // the package.
  add_real_site(out);
  return out;
}

crawl_result crawl_workload::reference(const crawl_params& p) {
  // The matrix asks an audited case for none (core/workload.hpp).
  if (p.real) throw std::logic_error("a real site has no reference result: wget audits its crawl");
  const auto& server = embedded_server(p.site);
  client_tally tally;
  return crawl(reference_getter(server.site(), server.port(), p.client.timeout, tally),
               server.root_url(), p.depth, tally);
}

double crawl_workload::ideal_seconds(const crawl_params& p, models::in_flight limit) {
  if (p.real) return items(p) * floor_seconds_per_request;  // nginx adds no latency
  // A level cannot start before the one above it ends: each takes ceil(size / k) latencies.
  const double k = static_cast<double>(in_flight(p.client, limit));
  double rounds = 0, pages = 0;
  for (std::size_t size : crawl_levels(p.site, p.depth)) {
    rounds += std::ceil(static_cast<double>(size) / k);
    pages += static_cast<double>(size);
  }
  return std::max(rounds * std::chrono::duration<double>(p.site.latency).count(),
                  pages * floor_seconds_per_request);
}

double crawl_workload::items(const crawl_params& p) {
  if (p.real) return static_cast<double>(p.real->pages);
  double pages = 0;
  for (std::size_t size : crawl_levels(p.site, p.depth)) pages += static_cast<double>(size);
  return pages;
}

std::string crawl_workload::describe_diff(const crawl_result& expected,
                                          const crawl_result& actual) {
  auto visits = [](const crawl_result& r) {
    std::vector<std::string> out;
    for (const auto& v : r.visited) out.push_back(describe(v));
    std::sort(out.begin(), out.end());
    return out;
  };
  auto edges = [](const crawl_result& r) {
    std::vector<std::string> out;
    for (const auto& [from, to] : r.edges) out.push_back(fmt::format("{} -> {}", from, to));
    return out;
  };
  auto same = [](const std::string& s) { return s; };
  return diff{}
      .field("requests sent", expected.requests_sent, actual.requests_sent)
      .field("bytes received", expected.bytes_received, actual.bytes_received)
      .sorted_set("visited", visits(expected), visits(actual), same)
      .sorted_set("edges", edges(expected), edges(actual), same)
      .sorted_set("errors", expected.errors, actual.errors, same)
      .str();
}

std::string crawl_workload::audit_source(const crawl_params& p) {
  return p.real ? fmt::format("wget's URL set ({})", p.real->package) : "";
}

std::string crawl_workload::audit(const crawl_params& p, const crawl_result& r) {
  if (!p.real) return "";
  return diff{}
      .sorted_set("URLs wget requested", wget_urls(*p.real, p.depth), baseline_listing(r),
                  [](const std::string& s) { return s; })
      .str();
}

std::vector<baseline> crawl_workload::baselines(const crawl_params& p) {
  if (!p.real) return {};
  return {wget_baseline(*p.real, p.depth)};
}

std::vector<std::string> crawl_workload::baseline_listing(const crawl_result& r) {
  std::set<std::string> urls;
  for (const auto& v : r.visited) {
    urls.insert(v.url);
    if (!v.final_url.empty()) urls.insert(v.final_url);
  }
  return {urls.begin(), urls.end()};
}

}  // namespace concur::http
