#pragma once
// Connections that reward readiness: N keep-alive connections each make K exchanges (a request,
// then the next only after its reply). The server answers exchange k of connection i after
// delay_of(i, k), drawn from a seeded distribution (1 ms plus an exponential tail, at most 40 ms)
// the same for every model and computed from the request alone. A client that serves whichever
// connection is ready finishes with the longest connection's chain of delays; one that reads in
// a fixed order pays every round's slowest reply. The answer is every connection's replies in
// order; the run measures what the long-poll measures (connections.hpp), and reuses its servers,
// limits and clients.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/connections/connections.hpp"

namespace concur::connections {

struct readiness_params {
  std::size_t connections;  // N
  std::size_t exchanges;    // K per connection
};

struct readiness_result {
  std::vector<std::vector<reply>> replies;  // replies[i][k]: connection i's reply to exchange k
  std::size_t opened = 0;                   // work parity: connections opened
  std::size_t closed = 0;                   // and closed
  measures measured;
  bool operator==(const readiness_result& o) const {
    return replies == o.replies && opened == o.opened && closed == o.closed;
  }
};

// How long the server holds exchange k of connection i: 1 ms plus an exponential tail (mean
// 4 ms), at most 40 ms in all, from a fixed seed hashed with i and k.
std::chrono::microseconds delay_of(std::size_t i, std::size_t k);

// The body of the reply to exchange k of connection i.
std::string exchange_body(std::size_t i, std::size_t k);

// What the server answers a target: /r/<N>x<K>/<i>/<k> is exchange k of connection i in a run
// of N connections of K exchanges; none for a target of another kind.
struct exchange_answer {
  int status = 200;  // 404 for a connection or an exchange the run has not
  std::string body;
  std::chrono::microseconds delay{0};
};
std::optional<exchange_answer> answer_exchange(std::string_view target);

// A readiness run as its clients see it: the connections' frame and every exchange's reply.
struct exchange_run : connection_run {
  std::size_t exchanges = 0;
  std::vector<std::vector<reply>> replies;  // filled in order, one per exchange made

  static constexpr std::size_t request_capacity = 96;
  // Writes exchange k of connection i into `out` (at least request_capacity bytes).
  std::size_t request(std::size_t i, std::size_t k, char* out) const;
  // Connection i got no reply (its last), and why (see connection_run::failure).
  void failed(std::size_t i, int error, std::string_view during) {
    replies[i].push_back({0, failure(i, error, during)});
  }
};

// A keep-alive connection on a blocking descriptor (sequential, threads, executor, tbb): opened,
// then each exchange sent and received, as two calls so that a client may send on every
// connection before it reads any.
class blocking_exchanges {
 public:
  blocking_exchanges() = default;
  blocking_exchanges(exchange_run& run, std::size_t i);  // connects; a failure is its reply
  ~blocking_exchanges() { close(); }
  blocking_exchanges(blocking_exchanges&&) noexcept = default;
  blocking_exchanges& operator=(blocking_exchanges&& o) noexcept;
  // Whether the connection is still open (no exchange has failed).
  bool alive() const { return socket_.is_open(); }
  void send(std::size_t k);
  // Waits for exchange k's reply and records it; the last exchange's closes the connection.
  void receive(std::size_t k);
  // All K exchanges, one after another.
  void exchange_all();

 private:
  void close();
  exchange_run* run_ = nullptr;
  std::size_t index_ = 0;
  blocking_socket socket_;
};

struct readiness_workload : workload_base<readiness_params, readiness_result> {
  static constexpr std::string_view name = "readiness";
  static std::vector<case_def<params_type>> cases();
  // The question: how soon are all the exchanges done; beside it what a connection costs.
  static merit::declaration merit() {
    using merit::quantity;
    return {.primary = {.of = quantity::wall_time},
            .costs = {{.of = quantity::metric,
                       .metric = std::string(client_cpu_us_per_conn),
                       .unit = "µs",
                       .title = "client CPU per connection"},
                      {.of = quantity::peak_memory, .per_item = true}},
            .item = "connection"};
  }
  static std::string describe_diff(const result_type& expected, const result_type& actual);
  static result_type reference(const params_type& p);
  // Unbounded models: the longest connection's chain of delays. A model with at most L waits in
  // flight reads its connections' replies in the order it sent them (L readers taking sends and
  // waits in submission order): one reader (sequential) pays the sum of every round's slowest.
  static double ideal_seconds(const params_type& p, models::in_flight limit);
  static double items(const params_type& p) { return static_cast<double>(p.connections); }
  static concur::metrics metrics(const result_type& r) {
    return metrics_of(r.measured, r.replies.size());
  }

  // One per model, each beside the long-poll's in the model's own file.
  template <models::model M>
  static result_type run(M, const params_type&, const models::config&);
};

// The bounds ideal_seconds is made of, in seconds.
double longest_chain(const readiness_params& p);
double sum_of_round_maxima(const readiness_params& p);

// The frame of every model's readiness run (run_framed): `clients` makes every exchange and
// returns once every connection is closed.
readiness_result run_exchanges(const readiness_params& p,
                               const std::function<void(exchange_run&)>& clients,
                               std::size_t client_processes = 1);

}  // namespace concur::connections
