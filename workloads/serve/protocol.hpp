#pragma once
// The plumbing every model's server shares, so that the models differ in how they wait and
// nothing else: the site's answers built once (status line, headers and body in one buffer, as a
// static server sends a cached file), a request reader that finds each request of a keep-alive
// connection in the bytes as they arrive, the counters the bench reads across the process
// boundary, and the blocking connection loop of the models that block. No Asio here.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/http/site.hpp"

namespace concur::serve {

// What the server counts, in memory it shares with the bench (a memfd both map): the connections
// it took on and the answers it sent. Lock-free atomics, so valid across processes.
struct server_counters {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> answered{0};
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

// A connection's life in the counts: taken on when made. When the last connection open in this
// process ends, the heap's free pages go back to the kernel (malloc_trim), so that the next
// load's memory growth is its own and not what the last one left in the allocator.
class counted_connection {
 public:
  explicit counted_connection(server_counters& counters);
  ~counted_connection();
  counted_connection(const counted_connection&) = delete;
  counted_connection& operator=(const counted_connection&) = delete;
};

// Every answer the server can give, built once: each page with "Connection: keep-alive" and with
// "Connection: close", a 404 for any other target, a 400 for bytes that are no request.
class site_answers {
 public:
  explicit site_answers(const http::site& s);
  // The whole answer to GET target.
  std::string_view answer(std::string_view target, bool keep_alive) const;
  std::string_view bad_request() const { return bad_request_; }

 private:
  const http::site* site_;
  std::vector<std::string> keep_alive_, close_;
  std::string not_found_keep_alive_, not_found_close_, bad_request_;
};

// A request as the reader found it: its target (a view into the reader's buffer, valid until its
// next call), whether the client keeps the connection, or that it was no request we serve.
struct request {
  std::string_view target;
  bool keep_alive = true;
  bool bad = false;
};

// One request's answer: the bytes to send, and whether the connection closes after them.
struct answer {
  std::string_view bytes;
  bool close = false;
};

// The handler: what the site answers a request.
answer respond(const site_answers& answers, const request& r);

// The requests of one connection, read from the bytes as they arrive (HTTP/1.1 keep-alive;
// pipelined requests are answered in order). Only GET without a body is served: anything else,
// or a head past 16 KiB, is answered 400 and closed.
class request_reader {
 public:
  static constexpr std::size_t head_limit = 16 * 1024;

  // Where the next read goes (never empty while the reader wants bytes).
  char* space() { return buffer_.data() + end_; }
  std::size_t space_size() const { return buffer_.size() - end_; }
  void received(std::size_t n) { end_ += n; }

  // The next complete request buffered; none until one is complete.
  std::optional<request> next();
  // Its answer at once (where the handler runs where the request was read).
  std::optional<answer> next(const site_answers& answers) {
    const auto r = next();
    return r ? std::optional<answer>(respond(answers, *r)) : std::nullopt;
  }

 private:
  void make_room();

  std::vector<char> buffer_ = std::vector<char>(1024);
  std::size_t begin_ = 0, end_ = 0;
};

// The next connection on a blocking listener, with TCP_NODELAY (each answer is one write, sent at
// once). A refused accept (out of descriptors) pauses 10 ms and tries again: never a busy loop.
int accept_connection(int listener);

// Serves one connection on a blocking descriptor until the client closes it, an answer closes
// it, or an error ends it; then closes the descriptor. The sequential, threads, executor and tbb
// servers' connection (sequential, threads), each run its own way.
void serve_blocking(int fd, const site_answers& answers, server_counters& counters);

// Sends all of `bytes` on a blocking descriptor (MSG_NOSIGNAL: a client gone is an error, not a
// signal); false when the connection failed.
bool send_all(int fd, std::string_view bytes);

}  // namespace concur::serve
