#pragma once
// What an HTTP GET gives back, and the blocking client (Beast's synchronous API; Beast stays in
// client.cpp) that the sequential, threads, executor and tbb models use.
#include <atomic>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace concur::http {

// How a request failed; the same in every model, whatever API it used.
enum class error_kind {
  none,
  refused,
  timed_out,
  reset,
  bad_response,
  bad_url,
  no_such_host,         // the host name did not resolve
  body_over_limit,      // the body passed body_limit
  header_too_large,     // the header passed Beast's header limit
  too_many_open_files,  // EMFILE/ENFILE: no descriptor for the connection
  redirect_loop,        // a redirect led back to a URL of its own chain
  too_many_redirects,   // more hops than the limit
  other
};
std::string_view to_string(error_kind e);
error_kind classify(const boost::system::error_code& ec);
bool is_out_of_descriptors(const boost::system::error_code& ec);  // EMFILE or ENFILE

// Whether a request that failed with `ec` on a reused keep-alive connection, before any byte of
// its response arrived, met a connection the server had closed while it sat idle: such a
// request is sent once more on a fresh connection, within its deadline. Timeouts are not stale.
bool stale_keep_alive(const boost::system::error_code& ec);

struct response {
  int status = 0;  // 0 when there is no complete response
  std::size_t body_bytes = 0;
  std::uint64_t body_hash = 0;  // body_hash() of the body, whether or not it is kept
  std::string body;             // only when the client keeps bodies (client_options::keep_bodies)
  std::string location;         // the Location field of a 3xx response, as sent
  error_kind error = error_kind::none;
  bool sent = false;  // the request was written
};

// The largest body a client accepts by default (client_options::body_limit), and how much read
// buffer it reserves up front (Beast's flat_buffer otherwise reads 512 bytes at a time).
inline constexpr std::size_t body_limit = 64 * 1024 * 1024;
inline constexpr std::size_t read_buffer_bytes = 16 * 1024;

// Work parity every client adds to, from any thread.
struct client_tally {
  std::atomic<std::size_t> requests_sent{0};
  std::atomic<std::size_t> connections_opened{0};
  std::atomic<std::size_t> bytes_received{0};  // body bytes of complete responses
};

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
