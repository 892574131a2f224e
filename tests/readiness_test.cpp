// The readiness workload beyond the matrix's cells: every model's answer on the test cases, the
// delays every model meets, the ideal times, a wrong reply's diff, and the server's answer to an
// exchange no run has. No timing is asserted: the machine may be loaded.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/support.hpp"
#include "workloads/connections/readiness.hpp"
#include "workloads/connections/server.hpp"

namespace concur::connections {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr readiness_params small{8, 3};
constexpr readiness_params wide{200, 4};

TEST(readiness, every_model_gives_the_oracles_answer_on_the_test_cases) {
  for (const auto& p : {small, wide}) {
    if (const auto why = descriptors_unavailable(p.connections); !why.empty()) GTEST_SKIP() << why;
    const auto expected = readiness_workload::reference(p);
    testing::for_each_model<concur::connections::readiness_workload>([&](auto model) {
      SCOPED_TRACE(std::string(decltype(model)::name) + " n" + std::to_string(p.connections));
      const auto r = readiness_workload::run(model, p, models::config::defaults());
      EXPECT_EQ(r, expected) << readiness_workload::describe_diff(expected, r);
    });
  }
}

// The server computes each delay from the request alone, with the function the ideal times use:
// every model meets the same delays, run after run.
TEST(readiness, the_delays_are_deterministic_bounded_and_the_servers) {
  bool varied = false;
  for (std::size_t i = 0; i < 200; ++i) {
    for (std::size_t k = 0; k < 5; ++k) {
      const auto d = delay_of(i, k);
      EXPECT_EQ(d, delay_of(i, k));
      EXPECT_GE(d, milliseconds(1));
      EXPECT_LE(d, milliseconds(40));
      varied = varied || d != delay_of(0, 0);
    }
  }
  EXPECT_TRUE(varied);
  const auto answer = answer_exchange("/r/8x3/5/2");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, exchange_body(5, 2));
  EXPECT_EQ(answer->delay, delay_of(5, 2));
}

TEST(readiness, the_in_order_ideal_is_the_sum_of_round_maxima_and_the_others_the_longest_chain) {
  const auto config = models::config::defaults();
  for (const auto& p : {small, wide}) {
    const double rounds = sum_of_round_maxima(p);
    const double chain = longest_chain(p);
    EXPECT_LT(chain, rounds);
    EXPECT_DOUBLE_EQ(
        readiness_workload::ideal_seconds(p, models::sequential_model::max_in_flight(config)),
        rounds);
    for (const auto unbounded : {models::threads_model::max_in_flight(config),
                                 models::coroutines_model::max_in_flight(config),
                                 models::fibers_model::max_in_flight(config)})
      EXPECT_DOUBLE_EQ(readiness_workload::ideal_seconds(p, unbounded), chain);
    // A reader per connection is as good as no bound; a few readers no better than it.
    EXPECT_DOUBLE_EQ(readiness_workload::ideal_seconds(p, p.connections), chain);
    const double few = readiness_workload::ideal_seconds(p, 2);
    EXPECT_GE(few, chain);
  }
}

TEST(readiness, a_wrong_reply_fails_verification_with_a_readable_diff) {
  const auto expected = readiness_workload::reference(small);
  auto actual = expected;
  actual.replies[3][1].body = "connection 3 exchange 2\n";
  actual.replies[5].pop_back();
  ASSERT_NE(actual, expected);
  const std::string diff = readiness_workload::describe_diff(expected, actual);
  EXPECT_NE(diff.find("connection[3]: expected [200 \"connection 3 exchange 0\\n\", 200 "
                      "\"connection 3 exchange 1\\n\""),
            std::string::npos)
      << diff;
  EXPECT_NE(
      diff.find("got [200 \"connection 3 exchange 0\\n\", 200 \"connection 3 exchange 2\\n\""),
      std::string::npos)
      << diff;
  EXPECT_NE(diff.find("connection[5]"), std::string::npos) << diff;
}

// Asks the embedded server for `target` on a new connection; the reply, or why there is none.
reply ask(const std::string& target) {
  const auto& to = shared_server(server_kind::embedded, milliseconds(0)).endpoints().front();
  blocking_socket socket;
  if (const int error =
          socket.connect(to, std::chrono::steady_clock::now() + std::chrono::seconds(10)))
    return {0, "connect: " + std::to_string(error)};
  if (const int error = socket.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n"))
    return {0, "send: " + std::to_string(error)};
  return socket.receive();
}

TEST(readiness, the_server_answers_an_exchange_no_run_has_with_404_at_once) {
  EXPECT_EQ(ask("/r/8x3/2/1"), (reply{200, exchange_body(2, 1)}));
  EXPECT_EQ(ask("/r/8x3/9/0"), (reply{404, "no connection 9 of 8\n"}));
  EXPECT_EQ(ask("/r/8x3/2/3"), (reply{404, "no exchange 3 of 3\n"}));
  EXPECT_EQ(ask("/r/8x3/two/1"),
            (reply{404, "not an exchange: /r/8x3/two/1 (/r/<N>x<K>/<i>/<k>)\n"}));
}

// K requests on one connection, the next after each reply: the server keeps it alive.
TEST(readiness, the_server_keeps_an_exchanges_connection_alive) {
  const auto& to = shared_server(server_kind::embedded, milliseconds(0)).endpoints().front();
  blocking_socket socket;
  ASSERT_EQ(socket.connect(to, std::chrono::steady_clock::now() + std::chrono::seconds(10)), 0);
  for (std::size_t k = 0; k < 3; ++k) {
    const std::string request =
        "GET /r/8x3/4/" + std::to_string(k) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    ASSERT_EQ(socket.send(request), 0);
    EXPECT_EQ(socket.receive(), (reply{200, exchange_body(4, k)}));
  }
}

}  // namespace
}  // namespace concur::connections
