#pragma once
// One GET on a keep-alive connection of an io_context client, as a state machine: it holds every
// decision (connect to which address, retry a stale connection, read past interim responses, how
// a failure is named, what is tallied), and the client's model does the waiting. A driver loops:
//
//   exchange x(c, url, options, tally);
//   while (x.next() != exchange::wait::none) {
//     start the operation next() names on c.socket, suspend until it completes (co_await,
//     yield[ec], ...), then x.completed(ec);
//   }
//   return x.take();
//
// so a coroutine and a fiber run the same protocol, each suspending its own way (on_loop.hpp,
// fibers.cpp). Asio and Beast: include it from those clients only.
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "net/connection.hpp"
#include "net/response_parser.hpp"
#include "workloads/http/http.hpp"

namespace concur::http {

class exchange {
 public:
  // What the driver waits for next on the connection's socket.
  enum class wait {
    connect,  // socket.async_connect(endpoint())
    write,    // asio::async_write(socket, unwritten())
    read,     // bhttp::async_read(socket, buffer, parser())
    none      // the exchange is over: take() the response
  };

  // Builds the request and starts the deadline (connect, write and read together); a URL that
  // does not parse or resolve ends the exchange at once. The URL outlives the exchange.
  exchange(connection& c, std::string_view url, const client_options& options, client_tally& tally);

  wait next() const { return wait_; }
  const boost::asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
  boost::asio::const_buffer unwritten() const;
  response_parser& parser() { return *parser_; }

  // The outcome of the wait next() named.
  void completed(const boost::system::error_code& ec);

  response take() { return std::move(out_); }

 private:
  void start_attempt();
  void connect_next(const boost::system::error_code& last);
  void connect_done(const boost::system::error_code& ec);
  void send();
  void send_done(const boost::system::error_code& ec);
  void read_next();
  void read_done(boost::system::error_code ec);
  void receive_done(const boost::system::error_code& ec);
  void fail(const boost::system::error_code& ec);
  void finish();

  connection& c_;
  std::string_view url_;  // where a 200 answer's body reader resolves its links
  const client_options& options_;
  client_tally& tally_;
  response out_;
  wait wait_ = wait::none;
  std::shared_ptr<const resolved_host> host_;
  std::uint16_t port_ = 0;
  bool reused_ = false;      // this attempt is on a connection kept from an earlier request
  std::size_t address_ = 0;  // the next of the host's addresses to connect to
  boost::asio::ip::tcp::endpoint endpoint_;  // the one being connected to
  std::size_t written_ = 0;                  // of the request, at once
  std::optional<response_parser> parser_;    // of the response being read
  bool answered_some_ = false;  // some byte of a response arrived: the connection was not stale
};

}  // namespace concur::http
