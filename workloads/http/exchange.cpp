#include "workloads/http/exchange.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <cstring>

namespace concur::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

exchange::exchange(connection& c, std::string_view url, const client_options& options,
                   client_tally& tally)
    : c_(c), url_(url), options_(options), tally_(tally) {
  if (const auto e = c.requests.build(url, c.request); e != error_kind::none) {
    out_.error = e;
    return;
  }
  host_ = c.requests.host;
  port_ = c.requests.port;
  c.timed_out = false;
  c.deadline = clock_type::now() + options.timeout;
  reused_ = c.socket.is_open() && c.peer_host == host_ && c.peer_port == port_;
  start_attempt();
}

asio::const_buffer exchange::unwritten() const {
  return asio::buffer(c_.request) + written_;
}

void exchange::completed(const error_code& ec) {
  switch (wait_) {
    case wait::connect:
      return connect_done(ec);
    case wait::write:
      return send_done(ec);
    case wait::read:
      return read_done(ec);
    case wait::none:
      return;
  }
}

// A reused connection may have been closed by the server while it sat idle: then the request is
// sent once more on a fresh one, within the same deadline (see stale_keep_alive).
void exchange::start_attempt() {
  if (reused_) return send();
  address_ = 0;
  connect_next(asio::error::host_not_found);
}

// Connects to the next of the host's addresses, if any is left; `last` is why the previous one
// did not do.
void exchange::connect_next(const error_code& last) {
  if (address_ == host_->addresses.size()) return fail(last);
  c_.close();
  const auto a = with_port(host_->addresses[address_++], port_);
  endpoint_ = {};
  std::memcpy(endpoint_.data(), a.data(), a.size);
  endpoint_.resize(a.size);
  wait_ = wait::connect;
}

// The first of the host's addresses that accepts is the connection.
void exchange::connect_done(const error_code& ec) {
  if (ec && !c_.timed_out && !is_out_of_descriptors(ec)) return connect_next(ec);
  if (ec || c_.timed_out) return fail(ec);
  error_code ignored;
  c_.socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  c_.socket.non_blocking(true, ignored);  // write_some below must not block
  c_.peer_host = host_;
  c_.peer_port = port_;
  ++tally_.connections_opened;
  send();
}

// Written at once when the socket has room (nearly always): no suspension, and one trip less
// through the loop (each trip polls epoll once more). Only the rest, if any, is waited for.
void exchange::send() {
  out_.sent = false;
  error_code ec;
  written_ = c_.socket.write_some(asio::buffer(c_.request), ec);
  if (ec == asio::error::would_block) ec = {};
  if (!ec && written_ < c_.request.size()) {
    wait_ = wait::write;
    return;
  }
  send_done(ec);
}

void exchange::send_done(const error_code& ec) {
  if (ec || c_.timed_out) {
    c_.close();
    if (reused_ && !c_.timed_out && stale_keep_alive(ec)) {
      reused_ = false;
      return start_attempt();
    }
    return fail(ec);
  }
  out_.sent = true;
  answered_some_ = false;
  read_next();
}

void exchange::read_next() {
  parser_.emplace(options_.body_limit, options_.keep_bodies, &options_.read_bodies, url_);
  wait_ = wait::read;
}

// Reads past any interim (1xx) responses to the response itself.
void exchange::read_done(error_code ec) {
  answered_some_ = answered_some_ || parser_->got_some() || c_.buffer.size() > 0;
  if (!ec && parser_->interim()) return read_next();
  if (!ec && parser_->status() == 101) {
    ec = bhttp::error::bad_version;  // not HTTP any more
  } else if (!ec) {
    parser_->move_to(out_);
    if (!parser_->keep_alive()) c_.close();
  }
  receive_done(ec);
}

void exchange::receive_done(const error_code& ec) {
  if (ec || c_.timed_out) {
    c_.close();
    if (reused_ && !c_.timed_out && !answered_some_ && stale_keep_alive(ec)) {
      reused_ = false;
      return start_attempt();
    }
    return fail(ec);
  }
  tally_.bytes_received += out_.body_bytes;
  finish();
}

void exchange::fail(const error_code& ec) {
  c_.close();
  out_.error = c_.timed_out ? error_kind::timed_out : classify(ec);
  finish();
}

void exchange::finish() {
  c_.deadline = no_deadline;
  if (out_.sent) ++tally_.requests_sent;  // once, whatever the attempts
  wait_ = wait::none;
}

}  // namespace concur::http
