// The site server: an accept loop and a coroutine per connection on the server's own io_context;
// latency and slow pages are timers, so no server thread ever blocks.
#include "workloads/http/server.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/write.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/cpu_time.hpp"
#include "core/fork.hpp"
#include "models/loop.hpp"
#include "net/loop_socket.hpp"

namespace concur::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using loop::task;
using loop::use_task;
using net::as_tuple;
using stream_type = beast::basic_stream<net::tcp, loop::executor_type>;
using body_type = bhttp::span_body<const char>;
using response_type = bhttp::response<body_type>;

response_type make_response(unsigned version, bool keep_alive, bhttp::status status,
                            const std::string& body) {
  response_type res{status, version};
  res.set(bhttp::field::server, "concur-site");
  res.set(bhttp::field::content_type, "text/html");
  res.body() = {body.data(), body.size()};
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

// Opens, binds and listens; the error names the address and port asked for ("bind: Address
// already in use" alone leaves the user to guess which).
void listen_on(net::loop_acceptor& acceptor, const net::tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) return;
  const auto address = endpoint.address();
  throw std::runtime_error(
      fmt::format("cannot listen on {}:{}: {}",
                  address.is_v6() ? "[" + address.to_string() + "]" : address.to_string(),
                  endpoint.port(), ec.message()));
}

// The threads running an io_context, parked for a fork (core/fork.hpp): a handler on each that
// waits for resume(). A thread in a handler of ours is in no allocator and holds no lock.
class parking final : public fork_gate::parkable {
 public:
  parking(asio::io_context& ctx, std::size_t threads) : ctx_(ctx), threads_(threads) {}

  void park() override {
    std::unique_lock lock(mutex_);
    const auto round = ++round_;
    parked_ = 0;
    for (std::size_t i = 0; i < threads_; ++i)
      asio::post(ctx_, [this, round] {
        std::unique_lock held(mutex_);
        ++parked_;
        changed_.notify_all();
        changed_.wait(held, [&] { return released_ >= round; });
      });
    changed_.wait(lock, [&] { return parked_ == threads_; });
  }

  void resume() noexcept override {
    {
      const std::scoped_lock lock(mutex_);
      released_ = round_;
    }
    changed_.notify_all();
  }

 private:
  asio::io_context& ctx_;
  std::size_t threads_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t round_ = 0;
  std::uint64_t released_ = 0;
  std::size_t parked_ = 0;
};

}  // namespace

class site_server::impl {
 public:
  impl(const site_spec& spec, const server_options& options)
      : options_(options), acceptor_(ctx_), dead_(ctx_) {
    const auto address = asio::ip::make_address(options.bind);
    const net::tcp::endpoint endpoint(address, options.port);
    listen_on(acceptor_, endpoint);
    // A port where nothing listens: bound, never listening, held until the server stops, so no
    // one else can take it and every connect to it is refused.
    dead_.open(endpoint.protocol());
    dead_.bind(net::tcp::endpoint(address, 0));
    site_ = std::make_unique<http::site>(spec, options.bind, dead_.local_endpoint().port());
    asio::co_spawn(ctx_, accept_loop(), asio::detached);
    for (unsigned i = 0; i < std::max(1u, options.threads); ++i)
      threads_.emplace_back([this] { ctx_.run(); });
    fork_gate::enlist(parking_);
  }

  ~impl() { stop(); }

  void stop() {
    fork_gate::leave(parking_);
    ctx_.stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  const std::string& bind() const { return options_.bind; }
  const http::site& site() const { return *site_; }
  std::size_t requests_served() const { return served_.load(std::memory_order_relaxed); }

  double cpu_seconds() const {
    double total = 0;
    for (auto& t : threads_) {
      clockid_t clock{};
      if (!const_cast<std::thread&>(t).joinable()) continue;
      if (pthread_getcpuclockid(const_cast<std::thread&>(t).native_handle(), &clock) == 0)
        total += cpu_time::of_clock(clock);
    }
    return total;
  }

 private:
  task<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(as_tuple);
      if (ec == asio::error::operation_aborted) co_return;
      if (ec) {
        // Out of descriptors or a connection reset before accept: wait a little, keep serving.
        loop::steady_timer pause(ctx_.get_executor(), std::chrono::milliseconds(20));
        co_await pause.async_wait(as_tuple);
        continue;
      }
      asio::co_spawn(ctx_, session(std::move(socket)), asio::detached);
    }
  }

  task<void> session(net::loop_socket socket) {
    beast::error_code ignored;
    socket.set_option(net::tcp::no_delay(true), ignored);
    stream_type stream(std::move(socket));
    beast::flat_buffer buffer;
    buffer.reserve(8192);
    const auto& site = *site_;
    for (;;) {
      bhttp::request_parser<bhttp::empty_body> parser;
      parser.header_limit(16 * 1024);
      stream.expires_after(options_.idle_timeout);
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, as_tuple);
      if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
          ec == asio::error::connection_reset || ec == asio::error::eof)
        break;
      if (ec) {
        // Garbage: say so and close.
        auto res = make_response(11, false, bhttp::status::bad_request, bad_request_body());
        stream.expires_after(std::chrono::seconds(10));
        co_await bhttp::async_write(stream, res, as_tuple);
        break;
      }
      const auto& req = parser.get();
      served_.fetch_add(1, std::memory_order_relaxed);
      const auto page = site.page_of(std::string_view(req.target().data(), req.target().size()));
      const fault kind = page ? site.fault_of(*page) : fault::not_found;
      auto delay = site.spec().latency;
      if (kind == fault::slow) delay += site.spec().slow_delay;
      if (delay.count() > 0) {
        loop::steady_timer timer(stream.get_executor(), delay);
        co_await timer.async_wait(as_tuple);
      }
      const bool keep_alive = req.keep_alive() && kind != fault::truncated;
      const auto status = kind == fault::not_found      ? bhttp::status::not_found
                          : kind == fault::server_error ? bhttp::status::internal_server_error
                                                        : bhttp::status::ok;
      const std::string& body = kind == fault::not_found      ? site::not_found_body()
                                : kind == fault::server_error ? site::server_error_body()
                                                              : site.body(*page);
      auto res = make_response(req.version(), keep_alive, status, body);
      stream.expires_after(std::chrono::seconds(30));
      if (kind == fault::truncated) {
        // The whole length announced, half the body sent, then the connection closed.
        bhttp::response_serializer<body_type> serializer{res};
        auto [wec, wn] = co_await bhttp::async_write_header(stream, serializer, as_tuple);
        if (!wec)
          co_await asio::async_write(stream, asio::buffer(body.data(), body.size() / 2), as_tuple);
        break;
      }
      auto [wec, wn] = co_await bhttp::async_write(stream, res, as_tuple);
      if (wec || !keep_alive) break;
    }
    stream.socket().shutdown(net::tcp::socket::shutdown_both, ignored);
    stream.close();
  }

  static const std::string& bad_request_body() {
    static const std::string body =
        "<!doctype html>\n<html><body><h1>400 bad request</h1></body></html>\n";
    return body;
  }

  server_options options_;
  std::unique_ptr<http::site> site_;  // declared before the io_context: sessions point into it
  asio::io_context ctx_;
  net::loop_acceptor acceptor_;
  net::loop_socket dead_;
  std::vector<std::thread> threads_;
  parking parking_{ctx_, std::max(1u, options_.threads)};
  std::atomic<std::size_t> served_{0};
};

site_server::site_server(const site_spec& spec, const server_options& options)
    : impl_(std::make_unique<impl>(spec, options)) {}
site_server::~site_server() = default;
std::uint16_t site_server::port() const {
  return impl_->port();
}
std::string site_server::address() const {
  return url{impl_->bind(), port(), "/"}.origin();
}
const http::site& site_server::site() const {
  return impl_->site();
}
std::size_t site_server::requests_served() const {
  return impl_->requests_served();
}
double site_server::cpu_seconds() const {
  return impl_->cpu_seconds();
}
void site_server::stop() {
  impl_->stop();
}

site_server& embedded_server(const site_spec& spec) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<site_server>> servers;
  std::scoped_lock lock(mutex);
  auto& slot = servers[spec.key()];
  if (!slot) slot = std::make_unique<site_server>(spec);
  return *slot;
}

}  // namespace concur::http
