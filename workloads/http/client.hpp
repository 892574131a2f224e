#pragma once
// The blocking client (Beast's synchronous API; Beast stays in client.cpp) that the sequential,
// threads, executor and tbb models use.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "net/response.hpp"

namespace concur::http {

struct client_options;  // http.hpp

// One keep-alive connection at a time, on a plain descriptor (no io_context: it would cost two
// descriptors more per client, and Asio aborts when it cannot get them); get() blocks the calling
// thread for at most the options' timeout (connect, write and read together), then closes the
// connection if the request failed.
class blocking_client {
 public:
  blocking_client(const client_options& options, client_tally& tally);
  ~blocking_client();
  blocking_client(blocking_client&&) noexcept;
  blocking_client& operator=(blocking_client&&) noexcept;

  response get(std::string_view url);

 private:
  class impl;
  std::unique_ptr<impl> impl_;
};

// At most `capacity` blocking clients, made on demand and handed out one per request; acquire
// blocks while all are lent. The blocking models' way of sharing C keep-alive connections.
class client_pool {
 public:
  client_pool(std::size_t capacity, const client_options& options, client_tally& tally);

  class lease {
   public:
    lease(client_pool& pool, blocking_client client) : pool_(&pool), client_(std::move(client)) {}
    lease(lease&&) = delete;
    ~lease() { pool_->give_back(std::move(client_)); }
    blocking_client* operator->() { return &client_; }

   private:
    client_pool* pool_;
    blocking_client client_;
  };

  lease acquire();
  response get(std::string_view url) { return acquire()->get(url); }

 private:
  void give_back(blocking_client client);

  std::size_t capacity_;
  std::shared_ptr<const client_options> options_;
  client_tally& tally_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<blocking_client> idle_;
  std::size_t made_ = 0;
};

}  // namespace concur::http
