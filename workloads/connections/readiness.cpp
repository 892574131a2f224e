#include "workloads/connections/readiness.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <deque>
#include <queue>

#include "core/diff.hpp"

namespace concur::connections {
namespace {

using std::chrono::microseconds;

constexpr std::uint64_t seed = 0x7265616479'2022;  // "ready", issue 22
constexpr double base_us = 1'000;
constexpr double mean_tail_us = 4'000;
constexpr double cap_us = 40'000;

// The server that answers readiness runs: any embedded server answers /r/ (its hold is the
// long-poll's); this one holds nothing.
constexpr std::chrono::milliseconds no_hold{0};

std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double seconds(microseconds d) {
  return std::chrono::duration<double>(d).count();
}

// Reads a decimal number that ends `text` or is followed by `end`; advances past both.
std::optional<std::size_t> number(std::string_view& text, char end) {
  std::size_t value = 0;
  const auto [next, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || next == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(next - text.data()));
  if (end != '\0') {
    if (!text.starts_with(end)) return std::nullopt;
    text.remove_prefix(1);
  }
  return value;
}

std::string describe_replies(const std::vector<reply>& replies) {
  std::string out = "[";
  for (const auto& r : replies) out += (out.size() > 1 ? ", " : "") + describe(r);
  return out + "]";
}

}  // namespace

microseconds delay_of(std::size_t i, std::size_t k) {
  const std::uint64_t x = mix(seed ^ mix(i) ^ mix(mix(k) + 1));
  const double u = (static_cast<double>(x >> 11) + 1.0) * 0x1p-53;  // in (0, 1]
  const double tail = std::min(-std::log(u) * mean_tail_us, cap_us - base_us);
  return microseconds(static_cast<std::int64_t>(std::llround(base_us + tail)));
}

std::string exchange_body(std::size_t i, std::size_t k) {
  return fmt::format("connection {} exchange {}\n", i, k);
}

std::optional<exchange_answer> answer_exchange(std::string_view target) {
  if (!target.starts_with("/r/")) return std::nullopt;
  std::string_view rest = target.substr(3);
  const auto n = number(rest, 'x');
  const auto exchanges = n ? number(rest, '/') : std::nullopt;
  const auto i = exchanges ? number(rest, '/') : std::nullopt;
  const auto k = i ? number(rest, '\0') : std::nullopt;
  if (!k || !rest.empty())
    return exchange_answer{404, fmt::format("not an exchange: {} (/r/<N>x<K>/<i>/<k>)\n", target)};
  if (*i >= *n) return exchange_answer{404, fmt::format("no connection {} of {}\n", *i, *n)};
  if (*k >= *exchanges)
    return exchange_answer{404, fmt::format("no exchange {} of {}\n", *k, *exchanges)};
  return exchange_answer{200, exchange_body(*i, *k), delay_of(*i, *k)};
}

std::size_t exchange_run::request(std::size_t i, std::size_t k, char* out) const {
  return fmt::format_to_n(out, request_capacity,
                          "GET /r/{}x{}/{}/{} HTTP/1.1\r\nHost: localhost\r\n\r\n",
                          whole_connections(), exchanges, index(i), k)
      .size;
}

// ---- blocking_exchanges

blocking_exchanges::blocking_exchanges(exchange_run& run, std::size_t i) : run_(&run), index_(i) {
  if (const int error = socket_.connect(run.endpoint_of(i), run.deadline); error != 0) {
    run.failed(i, error, "connect");
    return;
  }
  run.work->opened();
}

void blocking_exchanges::send(std::size_t k) {
  if (!alive()) return;
  char request[exchange_run::request_capacity];
  if (const int error = socket_.send({request, run_->request(index_, k, request)}); error != 0) {
    close();
    return run_->failed(index_, error, "send");
  }
  if (k == 0) run_->work->sent();
}

void blocking_exchanges::receive(std::size_t k) {
  if (!alive()) return;
  run_->replies[index_].push_back(socket_.receive());
  if (run_->replies[index_].back().status == 0 || k + 1 == run_->exchanges) close();
}

void blocking_exchanges::exchange_all() {
  for (std::size_t k = 0; k < run_->exchanges && alive(); ++k) {
    send(k);
    receive(k);
  }
}

void blocking_exchanges::close() {
  if (!socket_.is_open()) return;
  socket_.close();
  run_->work->closed();
}

blocking_exchanges& blocking_exchanges::operator=(blocking_exchanges&& o) noexcept {
  if (this != &o) {
    close();
    run_ = o.run_;
    index_ = o.index_;
    socket_ = std::move(o.socket_);
  }
  return *this;
}

// ---- the workload

std::vector<case_def<readiness_params>> readiness_workload::cases() {
  const auto make = [](std::size_t n, std::size_t k, case_kind kind) {
    // Past one process's descriptors a client of one process is refused; the processes model
    // shards.
    case_def<params_type> c{.name = fmt::format("n{}_k{}", n, k), .kind = kind, .params = {n, k}};
    if (kind != case_kind::test)
      c.ladder =
          ladder_point{fmt::format("connections, {} exchanges each", k), static_cast<double>(n)};
    return c;
  };
  // 1,000 is the rung that rewards readiness; from 10,000 on every model is CPU-bound
  // (README.md), a cost per connection that connections/*/n10000_d1s gives in the default run.
  return {make(8, 3, case_kind::test),       make(200, 4, case_kind::test),
          make(1'000, 5, case_kind::bench),  make(100, 5, case_kind::sweep),
          make(10'000, 5, case_kind::sweep), make(30'000, 5, case_kind::sweep)};
}

readiness_result readiness_workload::reference(const params_type& p) {
  readiness_result r{.replies = std::vector<std::vector<reply>>(p.connections),
                     .opened = p.connections,
                     .closed = p.connections};
  for (std::size_t i = 0; i < p.connections; ++i)
    for (std::size_t k = 0; k < p.exchanges; ++k)
      r.replies[i].push_back({200, exchange_body(i, k)});
  return r;
}

std::string readiness_workload::describe_diff(const result_type& expected,
                                              const result_type& actual) {
  return diff{}
      .field("connections opened", expected.opened, actual.opened)
      .field("connections closed", expected.closed, actual.closed)
      .sequence("connection", expected.replies, actual.replies, describe_replies)
      .str();
}

double longest_chain(const readiness_params& p) {
  microseconds longest{0};
  for (std::size_t i = 0; i < p.connections; ++i) {
    microseconds chain{0};
    for (std::size_t k = 0; k < p.exchanges; ++k) chain += delay_of(i, k);
    longest = std::max(longest, chain);
  }
  return seconds(longest);
}

double sum_of_round_maxima(const readiness_params& p) {
  microseconds sum{0};
  for (std::size_t k = 0; k < p.exchanges; ++k) {
    microseconds slowest{0};
    for (std::size_t i = 0; i < p.connections; ++i) slowest = std::max(slowest, delay_of(i, k));
    sum += slowest;
  }
  return seconds(sum);
}

namespace {

// The time `readers` threads take when each call they make is a send (instant) or a wait for one
// reply, taken in submission order, and a connection's next call is submitted when its last
// ends: the executor's pool, tbb's arena, the sequential thread (one reader: rounds).
double in_order_readers(const readiness_params& p, std::size_t readers) {
  struct call {
    std::size_t i, k;
    bool send;
    microseconds sent_at;  // of a wait: when its request went
  };
  struct running {
    microseconds ends;
    call c;
    bool operator>(const running& o) const { return ends > o.ends; }
  };
  std::deque<call> queue;
  for (std::size_t i = 0; i < p.connections; ++i) queue.push_back({i, 0, true, {}});
  std::priority_queue<running, std::vector<running>, std::greater<>> busy;
  microseconds now{0};
  while (!queue.empty() || !busy.empty()) {
    for (; busy.size() < readers && !queue.empty(); queue.pop_front()) {
      const call& c = queue.front();
      busy.push({c.send ? now : std::max(now, c.sent_at + delay_of(c.i, c.k)), c});
    }
    const auto [ends, c] = busy.top();
    busy.pop();
    now = ends;
    if (c.send)
      queue.push_back({c.i, c.k, false, now});
    else if (c.k + 1 < p.exchanges)
      queue.push_back({c.i, c.k + 1, true, {}});
  }
  return seconds(now);
}

}  // namespace

double readiness_workload::ideal_seconds(const params_type& p, models::in_flight limit) {
  if (!limit) return longest_chain(p);
  if (*limit <= 1) return sum_of_round_maxima(p);
  return in_order_readers(p, *limit);
}

readiness_result run_exchanges(const readiness_params& p,
                               const std::function<void(exchange_run&)>& clients,
                               std::size_t client_processes) {
  exchange_run run;
  run.connections = p.connections;
  run.client_processes = client_processes;
  run.exchanges = p.exchanges;
  run.replies.resize(p.connections);
  const auto allowance = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::seconds(30) + microseconds(static_cast<std::int64_t>(cap_us)) * p.exchanges);
  auto out = run_framed(run, server_kind::embedded, no_hold, allowance, [&] { clients(run); });
  return {.replies = std::move(run.replies),
          .opened = out.opened,
          .closed = out.closed,
          .measured = out.measured};
}

}  // namespace concur::connections
