// classify's table: Asio's and Beast's error codes, named as every client reports them.
#include "net/response.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace concur::http {

std::string_view to_string(error_kind e) {
  switch (e) {
    case error_kind::none:
      return "none";
    case error_kind::refused:
      return "refused";
    case error_kind::timed_out:
      return "timed out";
    case error_kind::reset:
      return "reset";
    case error_kind::bad_response:
      return "bad response";
    case error_kind::bad_url:
      return "bad url";
    case error_kind::no_such_host:
      return "no such host";
    case error_kind::body_over_limit:
      return "body over limit";
    case error_kind::header_too_large:
      return "header too large";
    case error_kind::too_many_open_files:
      return "too many open files";
    case error_kind::redirect_loop:
      return "redirect loop";
    case error_kind::too_many_redirects:
      return "too many redirects";
    case error_kind::other:
      return "other";
  }
  return "?";
}

bool is_out_of_descriptors(const boost::system::error_code& ec) {
  return ec == boost::system::errc::too_many_files_open ||
         ec == boost::system::errc::too_many_files_open_in_system;
}

error_kind classify(const boost::system::error_code& ec) {
  namespace asio = boost::asio;
  namespace bhttp = boost::beast::http;
  if (!ec) return error_kind::none;
  if (ec == asio::error::connection_refused) return error_kind::refused;
  if (is_out_of_descriptors(ec)) return error_kind::too_many_open_files;
  if (ec == bhttp::error::body_limit) return error_kind::body_over_limit;
  if (ec == bhttp::error::header_limit) return error_kind::header_too_large;
  if (ec == asio::error::timed_out || ec == boost::beast::error::timeout)
    return error_kind::timed_out;
  if (ec == asio::error::connection_reset || ec == asio::error::eof ||
      ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
      ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message)
    return error_kind::reset;
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category())
    return error_kind::bad_response;
  return error_kind::other;
}

bool stale_keep_alive(const boost::system::error_code& ec) {
  namespace asio = boost::asio;
  namespace bhttp = boost::beast::http;
  return ec == asio::error::eof || ec == bhttp::error::end_of_stream ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

}  // namespace concur::http
