// processes: each batch's URLs dealt out to worker processes, URL i to share i mod k (k workers,
// at most C and at most the URLs), the C requests in flight split over the shares. A worker
// fetches its share with the coroutines model's client on a loop of its own (its share of C
// coroutines, each with a keep-alive connection kept across the worker's jobs), reading a crawl's
// links as the bodies stream in, and sends back the answers, their links and its tally; the
// parent gathers the shares in URL order. The parent drives the redirects and the crawl (http.cpp
// over this getter): it keeps the visited set, and each level is one batch.
#include <algorithm>
#include <memory>
#include <optional>

#include "models/processes.hpp"
#include "workloads/http/on_loop.hpp"

namespace concur::http {
namespace {

using processes::message;
using processes::message_reader;

// An answer's bytes: what a response holds, and the links read in it when it answered.
void put(message& m, response& r) {
  m.put(static_cast<std::uint64_t>(r.status))
      .put(r.body_bytes)
      .put(r.body_hash)
      .put(static_cast<std::uint64_t>(r.error))
      .put(std::uint64_t{r.sent})
      .put(r.location)
      .put(r.body);
  auto links = r.error == error_kind::none ? take_links(r) : std::nullopt;
  m.put(links ? links->size() + 1 : 0);  // 0: nothing read it
  if (links)
    for (const auto& l : *links)
      m.put(l.to).put(std::uint64_t{l.host.has_value()}).put(l.host.value_or(""));
}

response take_response(message_reader& m) {
  response r;
  r.status = static_cast<int>(m.number());
  r.body_bytes = m.number();
  r.body_hash = m.number();
  r.error = static_cast<error_kind>(m.number());
  r.sent = m.number() != 0;
  r.location = m.text();
  r.body = m.text();
  if (const auto read = m.number()) {
    std::vector<link_target> links(read - 1);
    for (auto& l : links) {
      l.to = m.text();
      const bool has_host = m.number() != 0;
      const auto host = m.text();
      if (has_host) l.host = std::string(host);
    }
    give_links(r, std::move(links));
  }
  return r;
}

// A worker's side: its client, made at its first job, after the fork (a loop is not shared
// across processes).
class worker_client {
 public:
  explicit worker_client(const client_options& options) : options_(options) {}

  // A job: its share of C, then its URLs. The answer: the share's tally, then each URL's answer.
  std::string serve(std::string_view job) {
    message_reader share(job);
    const std::size_t in_flight = share.number();
    std::vector<std::string> urls(share.number());
    for (auto& u : urls) u = share.text();
    if (!client_) client_ = std::make_unique<on_loop::own_loop_client>(options_);
    client_tally tally;
    auto answers = client_->get(urls, std::min(in_flight, urls.size()), tally);
    message out;
    out.put(tally.requests_sent).put(tally.connections_opened).put(tally.bytes_received);
    for (auto& r : answers) put(out, r);
    return out.take();
  }

 private:
  client_options options_;
  std::unique_ptr<on_loop::own_loop_client> client_;
};

// The parent's side: the workers (forked at the first batch, when the host cache is warm) and
// the tally their answers add to.
class fleet {
 public:
  fleet(const client_options& options, const models::config& config, client_tally& tally)
      : options_(options),
        workers_wanted_(std::min<std::size_t>(std::max(1u, config.worker_processes),
                                              std::max<std::size_t>(1, options.concurrency))),
        tally_(tally) {}

  std::vector<response> get(const std::vector<std::string>& urls) {
    std::vector<response> out(urls.size());
    if (urls.empty()) return out;
    auto& pool = workers();
    const std::size_t k = std::min({pool.size(), options_.concurrency, urls.size()});
    pool.run_until_complete([&]() -> processes::task<void> {
      std::vector<processes::task<bool>> shares;
      for (std::size_t j = 0; j < k; ++j) shares.push_back(hand_out(pool, urls, j, k, out));
      co_await processes::gather(std::move(shares));
    });
    return out;
  }

  void end() {
    if (pool_ && !ended_) {
      ended_ = true;
      pool_->end();
    }
  }

 private:
  processes::pool& workers() {
    if (!pool_) {
      auto client = std::make_shared<worker_client>(options_);
      pool_.emplace(workers_wanted_, [client](std::string_view job) { return client->serve(job); });
    }
    return *pool_;
  }

  // Share j of k: URLs j, j + k, ... with its part of C, into out at their places.
  processes::task<bool> hand_out(processes::pool& pool, const std::vector<std::string>& urls,
                                 std::size_t j, std::size_t k, std::vector<response>& out) {
    const std::size_t c = options_.concurrency;
    message job;
    job.put(c * (j + 1) / k - c * j / k).put((urls.size() - j + k - 1) / k);
    for (std::size_t i = j; i < urls.size(); i += k) job.put(urls[i]);
    const auto bytes = co_await pool.submit(job.take());
    message_reader answer(bytes);
    tally_.requests_sent += answer.number();
    tally_.connections_opened += answer.number();
    tally_.bytes_received += answer.number();
    for (std::size_t i = j; i < urls.size(); i += k) out[i] = take_response(answer);
    co_return true;
  }

  client_options options_;
  std::size_t workers_wanted_;
  client_tally& tally_;
  std::optional<processes::pool> pool_;
  bool ended_ = false;
};

}  // namespace

run_getter make_run_getter(models::processes_model, const client_options& options,
                           const models::config& config, client_tally& tally) {
  auto workers = std::make_shared<fleet>(options, config, tally);
  return {.get = [workers](const std::vector<std::string>& urls) { return workers->get(urls); },
          .end = [workers] { workers->end(); }};
}

template <>
getter make_getter(models::processes_model m, const client_options& options,
                   const models::config& config, client_tally& tally) {
  return make_run_getter(m, options, config, tally).get;
}

template <>
fetch_result fetch_workload::run(models::processes_model m, const fetch_params& p,
                                 const models::config& c) {
  return run_fetch(p, c, [m](const client_options& o, const models::config& k, client_tally& t) {
    return make_run_getter(m, o, k, t);
  });
}

template <>
crawl_result crawl_workload::run(models::processes_model m, const crawl_params& p,
                                 const models::config& c) {
  return run_crawl(p, c, [m](const client_options& o, const models::config& k, client_tally& t) {
    return make_run_getter(m, o, k, t);
  });
}

}  // namespace concur::http
