// The producer/consumer, blocking offload and yielding-CPU workloads beyond their answers (every
// cell is checked against its oracle in matrix_test): the bound, the shutdown, the measured
// figures.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

#include "models/bounded_queue.hpp"
#include "models/coroutines.hpp"
#include "models/loop_queue.hpp"
#include "tests/support.hpp"
#include "workloads/cpuyield/cpuyield.hpp"
#include "workloads/offload/offload.hpp"
#include "workloads/prodcons/prodcons.hpp"

namespace concur {
namespace {

using testing::for_each_model;

TEST(prodcons, queue_stays_within_capacity_and_consumers_end) {
  const prodcons::params p{.producers = 3, .consumers = 2, .capacity = 2, .items_per_producer = 50};
  const auto config = models::config::defaults();
  for_each_model<concur::prodcons::workload>([&]<class M>(M m) {
    const auto r = prodcons::workload::run(m, p, config);
    EXPECT_LE(r.high_water, p.capacity) << M::name;
    EXPECT_GE(r.high_water, 1u) << M::name;
    EXPECT_TRUE(r.clean_shutdown) << M::name;
    EXPECT_EQ(r.consumed.size(), 150u) << M::name;
  });
}

TEST(bounded_queue, close_drains_then_ends_and_refuses) {
  threads::bounded_queue<int> q(2);
  EXPECT_TRUE(q.push(1));
  EXPECT_TRUE(q.push(2));
  // Full: this push waits until the close (or finds the queue closed), then refuses.
  std::jthread blocked([&] { EXPECT_FALSE(q.push(3)); });
  q.close();
  blocked.join();
  EXPECT_EQ(q.pop(), std::optional<int>(1));
  EXPECT_EQ(q.pop(), std::optional<int>(2));
  EXPECT_EQ(q.pop(), std::nullopt);
  EXPECT_FALSE(q.push(4));
  EXPECT_EQ(q.high_water(), 2u);
}

TEST(loop_queue, join_then_close_ends_every_consumer) {
  std::vector<int> got;
  bool put_after_close = true;
  coroutines::run([&]() -> coroutines::task<void> {
    auto ex = co_await boost::asio::this_coro::executor;
    loop::queue<int> q(ex, 1);
    co_await q.join();  // nothing put: returns at once
    auto consumer = [&q, &got]() -> coroutines::task<int> {
      while (auto item = co_await q.get()) {
        got.push_back(*item);
        q.task_done();
      }
      co_return 0;
    };
    std::vector<coroutines::task<int>> consumers;
    consumers.push_back(consumer());
    consumers.push_back(consumer());
    auto producer = [&q]() -> coroutines::task<int> {
      for (int i = 0; i < 5; ++i) co_await q.put(i);
      co_await q.join();
      q.close();
      co_return 0;
    };
    consumers.push_back(producer());
    co_await coroutines::gather(std::move(consumers));
    put_after_close = co_await q.put(9);
    EXPECT_LE(q.high_water(), q.capacity());
  });
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_FALSE(put_after_close);
}

TEST(prodcons, empty_run_ends_cleanly) {
  const prodcons::params p{.producers = 2, .consumers = 3, .capacity = 1, .items_per_producer = 0};
  const auto config = models::config::defaults();
  const auto expected = prodcons::workload::reference(p);
  for_each_model<concur::prodcons::workload>(
      [&]<class M>(M m) { EXPECT_EQ(prodcons::workload::run(m, p, config), expected) << M::name; });
}

TEST(offload, the_loop_models_report_how_long_the_loop_stalled) {
  const offload::params p{.calls = 3, .delay = std::chrono::milliseconds(5)};
  const auto config = models::config::defaults();
  const auto blocked = offload::workload::run(models::coroutines_model{}, p, config);
  const auto offloaded = offload::workload::run(models::executor_model{}, p, config);
  EXPECT_EQ(blocked, offloaded);
  EXPECT_GT(blocked.loop_worst_gap_ms, 0.0);  // a direct call blocked the loop at least once
  EXPECT_GT(offloaded.loop_worst_gap_ms, 0.0);
  EXPECT_FALSE(offload::workload::metrics(blocked).empty());
}

TEST(cpuyield, metrics_name_the_heartbeat_and_the_slowdown) {
  const cpuyield::params p{.iterations = 10'000, .yield_every = 100};
  const auto r = cpuyield::workload::run(models::coroutines_model{}, p, models::config::defaults());
  EXPECT_EQ(r.yields, 99u);
  std::set<std::string> names;
  for (const auto& [k, v] : cpuyield::workload::metrics(r)) names.insert(k);
  for (const char* k :
       {"compute_ms", "slowdown", "heartbeat_worst_ms", "heartbeat_p99_ms", "heartbeat_ticks"})
    EXPECT_TRUE(names.count(k)) << k;
}

TEST(cpuyield, heartbeat_gaps) {
  heartbeat_log empty;
  EXPECT_EQ(empty.worst_gap_ms(), 0.0);
  EXPECT_EQ(empty.gap_percentile_ms(99), 0.0);
}

}  // namespace
}  // namespace concur
