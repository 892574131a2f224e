// sequential: one blocking request after another on the calling thread, over one keep-alive
// connection (Beast's synchronous client); every wait blocks the caller.
#include "workloads/http/http.hpp"

namespace concur::http {

template <>
getter make_getter(models::sequential_model, const client_options& options, const models::config&,
                   client_tally& tally) {
  auto client = std::make_shared<blocking_client>(options, tally);
  return [client](const std::vector<std::string>& urls) {
    std::vector<response> out;
    out.reserve(urls.size());
    for (const auto& url : urls) out.push_back(client->get(url));
    return out;
  };
}

}  // namespace concur::http
