#pragma once
// TCP on the event loop of models/loop.hpp: sockets and acceptors on its concrete executor, as
// the servers and the clients on an io_context hold them, and the token that awaits an operation
// with its error as a value rather than an exception. Asio: include from .cpp files only.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "models/loop.hpp"

namespace concur::net {

using tcp = boost::asio::ip::tcp;
using loop_socket = boost::asio::basic_stream_socket<tcp, loop::executor_type>;
using loop_acceptor = boost::asio::basic_socket_acceptor<tcp, loop::executor_type>;
// auto [ec, n] = co_await op(..., as_tuple);
inline constexpr auto as_tuple = boost::asio::as_tuple(loop::use_task);

}  // namespace concur::net
