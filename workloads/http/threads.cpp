// threads: a std::jthread per request in flight (C at most), each blocking on its own keep-alive
// connection from the pool and taking the next URL when its request is answered.
#include <atomic>

#include "models/threads.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {

template <>
getter make_getter(models::threads_model, const client_options& options, const models::config&,
                   client_tally& tally) {
  auto clients = std::make_shared<client_pool>(options.concurrency, options, tally);
  const std::size_t limit = options.concurrency;
  return [clients, limit](const std::vector<std::string>& urls) {
    std::vector<response> out(urls.size());
    std::atomic<std::size_t> next{0};
    const std::size_t workers = std::min(limit, urls.size());
    threads::task_group group(workers);
    for (std::size_t w = 0; w < workers; ++w) {
      group.spawn([&] {
        auto client = clients->acquire();
        for (std::size_t i; (i = next.fetch_add(1)) < urls.size();) out[i] = client->get(urls[i]);
      });
    }
    group.join();
    return out;
  };
}

}  // namespace concur::http
