#pragma once
// What an HTTP GET gives back, and how a failure is named. Cheap to include: Asio's and Beast's
// error codes are named in response.cpp.
#include <atomic>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

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

// Reads a body as it streams in, in the thread that receives it, instead of the body being kept:
// a crawl's link reader (workloads/http), so that pages are read while others are still in
// flight and none is held whole.
class body_reader {
 public:
  virtual ~body_reader() = default;
  virtual void feed(std::string_view piece) = 0;
  virtual void finish() = 0;  // the whole body was fed
};
// Makes the reader of a 200 answer's body, given the URL that answered (where its links are
// resolved); nothing when there is nothing to read.
using body_reading = std::function<std::unique_ptr<body_reader>(std::string_view url)>;

struct response {
  int status = 0;  // 0 when there is no complete response
  std::size_t body_bytes = 0;
  std::uint64_t body_hash = 0;  // body_hash() of the body, whether or not it is kept
  std::string body;             // only when the client keeps bodies (client_options::keep_bodies)
  std::string location;         // the Location field of a 3xx response, as sent
  // What read the body of a complete 200 answer, when the client was given a body_reading.
  std::unique_ptr<body_reader> reader;
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

}  // namespace concur::http
