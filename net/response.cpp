// classify's table: Asio's and Beast's error codes, named as every client reports them.
#include "net/response.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include "core/names.hpp"

namespace concur::http {

constexpr name_entry<error_kind> error_names[] = {
    {error_kind::none, "none"},
    {error_kind::refused, "refused"},
    {error_kind::timed_out, "timed out"},
    {error_kind::reset, "reset"},
    {error_kind::bad_response, "bad response"},
    {error_kind::bad_url, "bad url"},
    {error_kind::no_such_host, "no such host"},
    {error_kind::body_over_limit, "body over limit"},
    {error_kind::header_too_large, "header too large"},
    {error_kind::too_many_open_files, "too many open files"},
    {error_kind::redirect_loop, "redirect loop"},
    {error_kind::too_many_redirects, "too many redirects"},
    {error_kind::other, "other"}};

std::string_view to_string(error_kind e) {
  return name_in(error_names, e);
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
