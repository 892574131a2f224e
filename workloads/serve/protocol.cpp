#include "workloads/serve/protocol.hpp"

#include <fmt/format.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace concur::serve {
namespace {

std::string make_answer(std::string_view status, std::string_view body, bool keep_alive) {
  return fmt::format(
      "HTTP/1.1 {}\r\nServer: concur-serve\r\nContent-Type: text/html\r\n"
      "Content-Length: {}\r\nConnection: {}\r\n\r\n{}",
      status, body.size(), keep_alive ? "keep-alive" : "close", body);
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether a Connection field's comma-separated tokens include `token`.
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    if (equal_ignoring_case(trimmed(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

struct request_head {
  std::string_view target;
  bool keep_alive = true;
};

// Reads a complete head ("\r\n\r\n" included); none when it is no GET we serve.
std::optional<request_head> parse_head(std::string_view head) {
  const auto line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const auto first_space = line.find(' ');
  const auto last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || last_space <= first_space) return std::nullopt;
  if (line.substr(0, first_space) != "GET") return std::nullopt;
  const std::string_view version = line.substr(last_space + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return std::nullopt;
  request_head out{line.substr(first_space + 1, last_space - first_space - 1),
                   version == "HTTP/1.1"};
  if (out.target.empty()) return std::nullopt;
  for (std::size_t at = line_end + 2; at < head.size();) {
    const auto end = head.find("\r\n", at);
    const std::string_view field = head.substr(at, end - at);
    at = end + 2;
    if (field.empty()) break;
    const auto colon = field.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const std::string_view name = field.substr(0, colon);
    const std::string_view value = trimmed(field.substr(colon + 1));
    if (equal_ignoring_case(name, "connection")) {
      if (has_token(value, "close")) out.keep_alive = false;
      if (has_token(value, "keep-alive")) out.keep_alive = true;
    } else if (equal_ignoring_case(name, "transfer-encoding") ||
               (equal_ignoring_case(name, "content-length") && value != "0")) {
      return std::nullopt;  // a body: not a GET this server reads
    }
  }
  return out;
}

std::atomic<std::size_t> open_here{0};  // this process's open connections

}  // namespace

counted_connection::counted_connection(server_counters& counters) {
  counters.accepted.fetch_add(1, std::memory_order_relaxed);
  open_here.fetch_add(1, std::memory_order_relaxed);
}

counted_connection::~counted_connection() {
  if (open_here.fetch_sub(1, std::memory_order_acq_rel) == 1) ::malloc_trim(0);
}

site_answers::site_answers(const http::site& s)
    : site_(&s),
      not_found_keep_alive_(make_answer("404 Not Found", http::site::not_found_body(), true)),
      not_found_close_(make_answer("404 Not Found", http::site::not_found_body(), false)),
      bad_request_(make_answer(
          "400 Bad Request",
          "<!doctype html>\n<html><body><h1>400 bad request</h1></body></html>\n", false)) {
  for (std::size_t i = 0; i < s.pages(); ++i) {
    keep_alive_.push_back(make_answer("200 OK", s.body(i), true));
    close_.push_back(make_answer("200 OK", s.body(i), false));
  }
}

std::string_view site_answers::answer(std::string_view target, bool keep_alive) const {
  if (const auto page = site_->page_of(target)) return (keep_alive ? keep_alive_ : close_)[*page];
  return keep_alive ? not_found_keep_alive_ : not_found_close_;
}

void request_reader::make_room() {
  if (begin_ == end_) begin_ = end_ = 0;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size() && buffer_.size() < head_limit) buffer_.resize(buffer_.size() * 2);
}

std::optional<request> request_reader::next() {
  const std::string_view buffered(buffer_.data() + begin_, end_ - begin_);
  const auto head_end = buffered.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (buffered.size() >= head_limit) return request{.bad = true};
    make_room();
    return std::nullopt;
  }
  const auto head = parse_head(buffered.substr(0, head_end + 4));
  if (!head) return request{.bad = true};
  // The next head starts past this one; the buffer moves only at the next call (make_room).
  begin_ += head_end + 4;
  return request{.target = head->target, .keep_alive = head->keep_alive};
}

answer respond(const site_answers& answers, const request& r) {
  if (r.bad) return {answers.bad_request(), true};
  return {answers.answer(r.target, r.keep_alive), !r.keep_alive};
}

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

int accept_connection(int listener) {
  for (;;) {
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      const int on = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      return fd;
    }
    if (errno != EINTR && errno != ECONNABORTED)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void serve_blocking(int fd, const site_answers& answers, server_counters& counters) {
  const counted_connection counted(counters);
  request_reader reader;
  for (bool open = true; open;) {
    const ssize_t n = ::recv(fd, reader.space(), reader.space_size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reader.received(static_cast<std::size_t>(n));
    while (open) {
      const auto a = reader.next(answers);
      if (!a) break;
      open = send_all(fd, a->bytes) && !a->close;
      counters.answered.fetch_add(1, std::memory_order_relaxed);
    }
  }
  ::close(fd);
}

}  // namespace concur::serve
