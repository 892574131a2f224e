// tbb: a task per URL in the arena's task_group, each blocking an arena thread on its request
// (so at most min(C, arena) are in flight: blocking I/O starves a work-stealing pool).
#include "models/tbb.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {

template <>
getter make_getter(models::tbb_model, const client_options& options, const models::config& config,
                   client_tally& tally) {
  auto clients = std::make_shared<client_pool>(options.concurrency, options, tally);
  const unsigned arena = config.worker_threads;
  return [clients, arena](const std::vector<std::string>& urls) {
    std::vector<response> out(urls.size());
    tbb_model::run_in_arena(arena, [&] {
      tbb_model::task_group group;
      for (std::size_t i = 0; i < urls.size(); ++i)
        group.run([&, i] { out[i] = clients->get(urls[i]); });
      group.wait();
    });
    return out;
  };
}

}  // namespace concur::http
