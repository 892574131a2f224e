#pragma once
// HTTP, from the course's gather-many-URLs and crawl-to-a-depth examples, on real sockets against
// the seeded site server (server.hpp) with real latency and real faults. Two workloads:
//   fetch: GET N URLs with at most C requests in flight; per URL its status, body length and hash,
//          or the error.
//   crawl: breadth-first from the root to depth D, each page once, at most C in flight; the
//          visited set (depth, status), the edges seen, the errors.
// Each model gives one thing: a `getter` that GETs a batch of URLs with at most C in flight over
// keep-alive connections it keeps for the whole run (sequential.cpp ... tbb.cpp; processes.cpp's
// deals each batch out to worker processes, and ends them inside a run: run_getter). The crawl is
// level by level (a gather per level), so depths are exact whatever order pages complete in.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/vocabulary.hpp"
#include "core/workload.hpp"
#include "models/models.hpp"
#include "workloads/http/client.hpp"
#include "workloads/http/real_site.hpp"
#include "workloads/http/site.hpp"

namespace concur::http {

struct client_options {
  std::size_t concurrency = 64;               // C: requests in flight, and keep-alive connections
  std::chrono::milliseconds timeout{5000};    // per request: connect, write and read together
  bool keep_bodies = false;                   // a fetch needs only length and hash
  std::size_t body_limit = http::body_limit;  // a longer body is a body_over_limit error
  // Reads each 200 answer's body as it streams in, in the model's own threads (a crawl's links,
  // crawl_options), instead of keeping it.
  body_reading read_bodies = {};
};

// The options of a crawl's getter: each page's links are read as its body arrives, where the
// model runs its requests (so that reading overlaps fetching), and no body is kept.
client_options crawl_options(client_options options);

// GETs every URL with at most C in flight; responses in URL order. Made once per run.
using getter = std::function<std::vector<response>(const std::vector<std::string>& urls)>;
// One per model, each an explicit specialization in the model's own file (threads.cpp, ...).
template <models::model M>
getter make_getter(M, const client_options&, const models::config&, client_tally&);

// ---- results

struct page_result {
  std::string url;  // as given
  int status = 0;   // 0: no complete response (see error)
  std::size_t body_bytes = 0;
  std::uint64_t body_hash = 0;
  error_kind error = error_kind::none;
  std::size_t redirects = 0;  // hops followed; status and body are the last hop's
  std::string final_url;      // where the redirects ended (empty without redirects)
  bool operator==(const page_result&) const = default;
};
// "200 1234 bytes #hash URL" or "refused URL", with " -> FINAL (N redirects)" after redirects
std::string describe(const page_result& p);

// What a run measured beside its answer: not compared (a sequential run needs one connection
// where a pool of C needs C), reported as metrics.
struct run_measures {
  std::size_t connections_opened = 0;
  double client_cpu_seconds = 0;  // client_cpu: the process's and its workers', less the server's
};

struct fetch_result {
  std::vector<page_result> pages;  // in URL order
  std::size_t requests_sent = 0;   // work parity
  std::size_t bytes_received = 0;  // body bytes of complete responses
  run_measures measured;
  bool operator==(const fetch_result& o) const {
    return pages == o.pages && requests_sent == o.requests_sent &&
           bytes_received == o.bytes_received;
  }
};

struct visit {
  std::string url;
  std::size_t depth = 0;
  int status = 0;
  std::size_t body_bytes = 0;
  error_kind error = error_kind::none;
  std::size_t redirects = 0;  // hops followed; status and bytes are the last hop's
  std::string final_url;      // where the redirects ended (empty without redirects); the base of
                              // the page's links
  bool operator==(const visit&) const = default;
  bool operator<(const visit& o) const { return url < o.url; }
};
// "depth status bytes URL" or "depth error URL", with " -> FINAL (N redirects)" after redirects
std::string describe(const visit& v);

struct crawl_result {
  std::vector<visit> visited;  // sorted by URL
  std::vector<std::pair<std::string, std::string>>
      edges;                        // (from, to) on pages that answered 200; sorted
  std::vector<std::string> errors;  // "URL: what", sorted
  std::size_t requests_sent = 0;
  std::size_t bytes_received = 0;
  run_measures measured;
  bool operator==(const crawl_result& o) const {
    return visited == o.visited && edges == o.edges && errors == o.errors &&
           requests_sent == o.requests_sent && bytes_received == o.bytes_received;
  }
};

// The getter of the model named `model` (models::all); throws models::unknown_model.
getter make_getter(std::string_view model, const client_options&, const models::config&,
                   client_tally&);

// Redirects (301, 302, 303, 307, 308 with a Location) are followed up to this many hops, wget's
// default (--max-redirect=20); a chain that comes back to one of its own URLs is a
// redirect_loop, one longer than the limit too_many_redirects.
inline constexpr std::size_t default_max_redirects = 20;

// The crawl's rules beyond its depth (README.md: what is a link, what is followed).
struct crawl_rules {
  std::size_t max_redirects = default_max_redirects;
  // Follow links to other hosts too (wget --span-hosts); by default they are recorded as edges
  // but not visited. Only the host is compared, as wget does: another port is the same host.
  bool span_hosts = false;
  // At most this many pages are visited (the root counts); links past it are edges, not visits,
  // so that a site of ever-new links ends (wget's --quota, in pages).
  std::size_t max_pages = std::numeric_limits<std::size_t>::max();
  // Called with each level's visits (by URL) once the level is answered, before the next is
  // sent: a caller prints the crawl as it goes rather than after the last page.
  std::function<void(const visit&)> on_visit = {};
};

// The workloads over any model's getter (what the CLI runs against any server). URLs are sent
// normalised (url.hpp); the crawl's getter must read links (crawl_options) or keep bodies
// (client_options::keep_bodies).
fetch_result fetch(const getter& get, const std::vector<std::string>& urls,
                   const client_tally& tally, std::size_t max_redirects = default_max_redirects);
crawl_result crawl(const getter& get, const std::string& root, std::size_t depth,
                   const client_tally& tally, const crawl_rules& rules = {});

// Where a 200 answer's links lead, as a crawl's getter read them (crawl_options): each once, in
// the order of their first appearance. A link whose host is unknown (a bad url) has none.
struct link_target {
  std::string to;
  std::optional<std::string> host;
};
// Takes the links read in answer `r`; none when nothing read it (no 200 answer, or a getter that
// keeps bodies instead).
std::optional<std::vector<link_target>> take_links(response& r);
// Gives answer `r` the links read elsewhere (a worker process), as its own reader would have.
void give_links(response& r, std::vector<link_target> links);

class site_server;

// The client's CPU since construction: the process's and its reaped children's (the processes
// model's workers, reaped inside the run), less what the embedded server's threads used (the
// server may share the process; none for nginx, a process of its own, never reaped in a run).
class client_cpu {
 public:
  explicit client_cpu(const site_server* server);
  double seconds() const;

 private:
  const site_server* server_;
  double process_, children_, server_start_;
};

// ---- the workloads, against the embedded server

struct fetch_params {
  site_spec site;  // every page of it is fetched, in page order (N = site.pages requests)
  client_options client;
  // Served by nginx (nginx.hpp) instead of the embedded server: only for sites without faults
  // or latency (a static server has neither).
  bool via_nginx = false;
  // Time wrk (wrk.hpp) beside the models at the same connection count, against the same server,
  // doing the case's work: every page in turn, or the one page.
  bool wrk_baseline = false;
  // The N requests are all for page 1, as wrk's on one URL: a server's cost per request depends
  // on the pages asked for (nginx answers one file faster than 10,000), so a client is compared
  // with wrk's one-URL rate on the one URL only.
  bool one_page = false;
  // Time the course's Python (baselines/python/fetch.py) beside the models on this case.
  bool python_baselines = false;
};

// The case's N URLs (every page, or page 1 N times), and the port they are served on (the
// embedded server's or nginx's, started at first use).
std::pair<std::vector<std::string>, std::uint16_t> fetch_urls(const fetch_params& p);

struct crawl_params {
  site_spec site;  // crawled from page 0
  std::size_t depth = 3;
  client_options client;
  // Time the course's Python (baselines/python/crawl.py) beside the models on this case.
  bool python_baselines = false;
  // Crawl this real site (served by nginx) instead of `site`, with wget beside the models and its
  // URL set as the oracle's audit.
  std::optional<real_site> real = {};
};

// Where the case's crawl starts: page 0 of the embedded server, or the real site's root page on
// nginx (started at first use).
std::string crawl_root(const crawl_params& p);

// A model's getter for one run, and what ends it inside the run's measures: the processes
// model's worker processes are reaped there (their CPU is then the run's), and one that did not
// exit cleanly is thrown. Nothing for the other models: their getter ends with its last copy.
struct run_getter {
  getter get;
  std::function<void()> end = {};
};
// The processes model's (processes.cpp); its plain getter (make_getter) kills and reaps its
// workers when its last copy goes.
run_getter make_run_getter(models::processes_model, const client_options&, const models::config&,
                           client_tally&);

// A fetch or a crawl of the embedded server (or nginx) with the getter `make` gives.
using getter_maker =
    std::function<run_getter(const client_options&, const models::config&, client_tally&)>;
template <models::model M>
getter_maker maker_of() {
  return [](const client_options& o, const models::config& c, client_tally& t) {
    return run_getter{make_getter(M{}, o, c, t)};
  };
}
fetch_result run_fetch(const fetch_params& p, const models::config& config,
                       const getter_maker& make);
crawl_result run_crawl(const crawl_params& p, const models::config& config,
                       const getter_maker& make);

// What the bench cells report beside their timings.
concur::metrics measures_metrics(const run_measures& m, std::size_t requests);

// The client's CPU per request, the cost beside either workload's time.
inline merit::figure client_cpu_per_request() {
  return {.of = merit::quantity::metric,
          .metric = std::string(vocabulary::counters::client_cpu_us_per_req),
          .unit = "µs",
          .title = "client CPU per request"};
}

struct fetch_workload : workload_base<fetch_params, fetch_result> {
  static constexpr std::string_view name = "fetch";
  // Its runs compute: short single runs vary by 5-15 % on a shared VM (has_min_run_time). Measured
  // on the nginx_n10000_c64 / tree_200k / p4_c4_k16_n20000 cells of every model, six rounds: a
  // minimum of 0.5 s took the median CV from 12.6 % to 4.6 %. Not a case that waits on the site's
  // latency (lat20ms_n640_c64): one run varied by 0.2-1.1 % there, three repeated it for nothing.
  static double min_run_seconds(const fetch_params& p) {
    return p.site.latency.count() > 0 ? 0 : 0.5;
  }

  static std::vector<case_def<params_type>> cases();
  // The question: how soon are all the pages fetched, and at what client CPU per request.
  static merit::declaration merit() {
    return {.primary = {.of = merit::quantity::wall_time},
            .costs = {client_cpu_per_request()},
            .item = "page"};
  }
  static std::string describe_diff(const result_type& expected, const result_type& actual);
  static result_type reference(const params_type& p);  // computed from the site, nothing fetched
  static double ideal_seconds(const params_type& p, models::in_flight limit);
  static double items(const params_type& p) { return static_cast<double>(p.site.pages); }
  static concur::metrics metrics(const result_type& r) {
    return measures_metrics(r.measured, r.requests_sent);
  }
  static std::vector<baseline> baselines(const params_type& p);
  static std::size_t baseline_records(const result_type& r) { return r.pages.size(); }

  template <models::model M>
  static result_type run(M, const params_type& p, const models::config& c) {
    return run_fetch(p, c, maker_of<M>());
  }
};

struct crawl_workload : workload_base<crawl_params, crawl_result> {
  static constexpr std::string_view name = "crawl";

  static std::vector<case_def<params_type>> cases();
  // The question: how soon is the site crawled. The models' order differs between sizes, so
  // every rung of the run counts, not one.
  static merit::declaration merit() {
    return {.primary = {.of = merit::quantity::wall_time},
            .costs = {client_cpu_per_request()},
            .item = "page",
            .every_rung = true};
  }
  static std::string describe_diff(const result_type& expected, const result_type& actual);
  static result_type reference(const params_type& p);
  static double ideal_seconds(const params_type& p, models::in_flight limit);
  static double items(const params_type& p);
  static concur::metrics metrics(const result_type& r) {
    return measures_metrics(r.measured, r.requests_sent);
  }
  // A real site's crawl answers to wget's, which shares no code with ours: the URLs wget requests
  // are those the crawl visited, with where their redirects ended (README.md: the differences).
  static std::string audit(const params_type& p, const result_type& r);
  static std::string audit_source(const params_type& p);
  // wget beside the models on a real site, checked by the URLs its log names.
  static std::vector<baseline> baselines(const params_type& p);
  static std::size_t baseline_records(const result_type& r) { return r.visited.size(); }
  static std::vector<std::string> baseline_listing(const result_type& r);

  template <models::model M>
  static result_type run(M, const params_type& p, const models::config& c) {
    return run_crawl(p, c, maker_of<M>());
  }
};

// The processes model runs its getter and ends its workers inside the run (processes.cpp).
template <>
fetch_result fetch_workload::run(models::processes_model, const fetch_params& p,
                                 const models::config& c);
template <>
crawl_result crawl_workload::run(models::processes_model, const crawl_params& p,
                                 const models::config& c);

}  // namespace concur::http
