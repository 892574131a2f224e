#pragma once
// The response parser both clients read with (Beast included: keep this header to client.cpp and
// coroutines.cpp). It keeps what a response is made of and no more: the status, the Location
// field, the body's length and XXH3 hash computed as the bytes stream through, and the body itself
// only when asked. A client's memory is then its read buffer per connection, whatever the bodies'
// size. (response_parser<string_body> would store every field and the whole body.)
#include <xxhash.h>

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "net/response.hpp"

namespace concur::http {

// body_hash() (XXH3-64, seed 0) of bytes that arrive in pieces: the same value as body_hash() of
// the whole, without keeping the whole.
class streaming_hash {
 public:
  // The length the bytes will have, when known: a whole body in one piece is then hashed at once,
  // without a streaming state (most small pages arrive in one read).
  void expect(std::uint64_t length) { expected_ = length; }

  void update(std::string_view piece) {
    if (!state_ && seen_ == 0 && piece.size() == expected_) {
      whole_ = XXH3_64bits(piece.data(), piece.size());
      seen_ = piece.size();
      return;
    }
    if (!state_) {  // allocated (64-byte aligned, as XXH3 wants) for bodies in several pieces only
      state_.reset(XXH3_createState());
      if (!state_) throw std::bad_alloc();
      XXH3_64bits_reset(state_.get());
    }
    XXH3_64bits_update(state_.get(), piece.data(), piece.size());
    seen_ += piece.size();
  }

  std::uint64_t digest() const {
    if (state_) return XXH3_64bits_digest(state_.get());
    return seen_ > 0 ? whole_ : XXH3_64bits(nullptr, 0);
  }

 private:
  struct free_state {
    void operator()(XXH3_state_t* s) const { XXH3_freeState(s); }
  };
  std::uint64_t expected_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t seen_ = 0;
  std::uint64_t whole_ = 0;
  std::unique_ptr<XXH3_state_t, free_state> state_;
};

class response_parser : public boost::beast::http::basic_parser<false> {
 public:
  // A 200 answer's body goes to a reader `reading` makes for `url` (both outlive the parser),
  // when given.
  response_parser(std::size_t limit, bool keep_body, const body_reading* reading = nullptr,
                  std::string_view url = {})
      : keep_body_(keep_body), reading_(reading && *reading ? reading : nullptr), url_(url) {
    body_limit(limit);
  }

  int status() const { return status_; }
  // An interim response (100 Continue, 103 Early Hints): the real one follows on the connection.
  // (101 Switching Protocols is not: it ends HTTP on the connection.)
  bool interim() const { return status_ / 100 == 1 && status_ != 101; }

  // Moves what was parsed into `out` (a complete response).
  void move_to(response& out) {
    out.status = status_;
    out.body_bytes = bytes_;
    out.body_hash = hash_.digest();
    out.body = std::move(body_);
    out.reader = std::move(reader_);
    if (status_ / 100 == 3) out.location = std::move(location_);
  }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
  void on_field_impl(boost::beast::http::field name, string_view, string_view value,
                     error_code&) override {
    if (name == boost::beast::http::field::location) location_.assign(value.data(), value.size());
  }
  void on_header_impl(error_code&) override {
    if (reading_ && status_ == 200) reader_ = (*reading_)(url_);
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (!length) return;
    hash_.expect(*length);
    if (keep_body_) body_.reserve(static_cast<std::size_t>(*length));  // within the body limit
  }
  std::size_t on_body_impl(string_view s, error_code&) override { return take(s); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view s, error_code&) override {
    return take(s);
  }
  void on_finish_impl(error_code&) override {
    if (reader_) reader_->finish();
  }

  std::size_t take(string_view s) {
    hash_.update({s.data(), s.size()});
    bytes_ += s.size();
    if (keep_body_) body_.append(s.data(), s.size());
    if (reader_) reader_->feed({s.data(), s.size()});
    return s.size();
  }

  bool keep_body_;
  const body_reading* reading_;
  std::string_view url_;
  std::unique_ptr<body_reader> reader_;  // of a 200 answer's body
  int status_ = 0;
  std::size_t bytes_ = 0;
  streaming_hash hash_;
  std::string body_;
  std::string location_;
};

}  // namespace concur::http
