// The course's own Python (baselines/python/*.py): each script's whole answer, parsed, equals the
// oracle on a small case in every Python model; a wrong answer fails its cell with a diff.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <future>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "baselines/python/baselines.hpp"
#include "bench/matrix.hpp"
#include "tests/support.hpp"
#include "workloads/cpuyield/cpuyield.hpp"
#include "workloads/dirsearch/dirsearch.hpp"
#include "workloads/http/http.hpp"
#include "workloads/offload/offload.hpp"
#include "workloads/prodcons/prodcons.hpp"
#include "workloads/sleep/sleep.hpp"

namespace concur {
namespace {

// Every Python model of the workload on `p` (a case that asks for the programs beside the
// models) against `expected`, with the workload's own diff.
// std::launch::async runs the scripts at once (each a process of its own): for cases whose
// time is their timeouts, and whose scripts' arguments need no fixture made at first use.
template <class W>
void expect_every_script_answers(const typename W::params_type& p,
                                 const typename W::result_type& expected,
                                 std::launch launch = std::launch::deferred) {
  const auto cells = python::baselines(p);
  ASSERT_EQ(cells.size(), 5u);  // py-sequential, py-threads, py-executor, py-asyncio, py-processes
  std::vector<std::pair<const baseline*, std::future<script_run>>> runs;
  std::string unavailable;
  for (const auto& b : cells) {
    if (!b.unavailable.empty()) {
      unavailable += b.name + ": " + b.unavailable + "; ";
      continue;
    }
    runs.emplace_back(
        &b, std::async(launch, [&b] { return b.script(models::config::defaults(), 60); }));
  }
  for (auto& [b, future] : runs) {
    const script_run run = future.get();
    const auto& got = std::any_cast<const typename W::result_type&>(run.result);
    EXPECT_TRUE(got == expected) << W::name << "/" << b->name << ":\n"
                                 << W::describe_diff(expected, got);
    EXPECT_GT(run.seconds, 0) << b->name;
    EXPECT_GE(run.process_seconds, run.seconds) << b->name;
  }
  if (!unavailable.empty()) GTEST_SKIP() << unavailable;
}

template <class W>
typename W::params_type case_named(std::string_view name) {
  const auto cases = W::cases();
  const auto c = std::find_if(cases.begin(), cases.end(), [&](auto& c) { return c.name == name; });
  if (c == cases.end()) throw std::runtime_error("no case " + std::string(name));
  return c->params;
}

TEST(python_baselines, sleep_gives_the_values_in_gather_order) {
  const sleep::params p{10, std::chrono::milliseconds(1), true};
  expect_every_script_answers<sleep::workload>(p, sleep::workload::reference(p));
}

// The small fixture's faults: a root that is missing, a file, a link to a directory, a chain
// deeper than PATH_MAX, names that are not UTF-8, a symlink loop, a FIFO.
TEST(python_baselines, dirsearch_finds_every_entry_and_error_of_the_fixture) {
  const dirsearch::params p{.roots = {"", "missing-root", "notes.txt", "link-to-dir"},
                            .fixture = dirsearch::tree_spec{},
                            .peers = true};
  expect_every_script_answers<dirsearch::workload>(
      p, dirsearch::workload::run(models::sequential_model{}, p, models::config::defaults()));
}

TEST(python_baselines, prodcons_consumes_every_item_once) {
  const prodcons::params p{4, 2, 3, 50, true};
  expect_every_script_answers<prodcons::workload>(p, prodcons::workload::reference(p));
}

TEST(python_baselines, offload_gives_every_call_its_value) {
  const offload::params p{4, std::chrono::milliseconds(1), true};
  expect_every_script_answers<offload::workload>(p, offload::workload::reference(p));
}

// The fault case: pages answering 404 and 500, slow past the timeout, truncated, unreachable.
TEST(python_baselines, fetch_gives_every_page_its_answer_or_error) {
  auto p = case_named<http::fetch_workload>("faults_n40_c4");
  p.python_baselines = true;
  const auto expected = http::fetch_workload::reference(p);
  std::set<std::string> kinds;  // what the case makes the scripts meet
  for (const auto& page : expected.pages)
    kinds.insert(page.error == http::error_kind::none ? std::to_string(page.status)
                                                      : std::string(to_string(page.error)));
  EXPECT_EQ(kinds, (std::set<std::string>{"200", "404", "500", "refused", "reset", "timed out"}));
  expect_every_script_answers<http::fetch_workload>(p, expected, std::launch::async);
}

// The fault site without its slow pages (each would cost the timeout): the visited set with
// depths, edges to every page and to the dead port, and every error.
TEST(python_baselines, crawl_visits_every_page_at_its_depth) {
  const http::crawl_params p{
      .site = {.pages = 40,
               .fanout = 3,
               .seed = 4,
               .body_bytes = 512,
               .faults = {.not_found = 2, .server_error = 2, .truncated = 2, .unreachable = 2}},
      .depth = 6,
      .client = {4, std::chrono::milliseconds(1000)},
      .python_baselines = true};
  const auto expected = http::crawl_workload::reference(p);
  std::set<std::string> kinds;
  for (const auto& e : expected.errors) kinds.insert(e.substr(e.rfind(": ") + 2));
  EXPECT_EQ(kinds, (std::set<std::string>{"HTTP 404", "HTTP 500", "refused", "reset"}));
  expect_every_script_answers<http::crawl_workload>(p, expected);
}

// The small cases: a chain that never yields, one that yields every 1000 steps, and a short one
// whose last slice is short.
TEST(python_baselines, cpuyield_computes_the_chain_with_its_yield_points) {
  for (const auto& c : cpuyield::workload::cases()) {
    if (c.kind != case_kind::test) continue;
    SCOPED_TRACE(c.name);
    expect_every_script_answers<cpuyield::workload>(c.params,
                                                    cpuyield::workload::reference(c.params));
  }
}

// A case that does not ask for the programs beside the models has no Python cells.
TEST(python_baselines, only_the_cases_that_ask_have_them) {
  EXPECT_TRUE(python::baselines(sleep::params{10, std::chrono::milliseconds(1)}).empty());
  EXPECT_TRUE(python::baselines(cpuyield::params{30'000'000, 0}).empty());
  const dirsearch::params following{.roots = {""},
                                    .opts = {.follow_symlinks = true},
                                    .fixture = dirsearch::tree_spec{},
                                    .peers = true};
  EXPECT_TRUE(python::baselines(following).empty());
}

// The scripts' test hook drops one item of the answer: the cell fails with the usual diff.
TEST(python_baselines, a_wrong_answer_fails_the_cell_with_a_diff) {
  struct wrong_answer {
    wrong_answer() { ::setenv("CONCUR_PY_WRONG_ANSWER", "1", 1); }
    ~wrong_answer() { ::unsetenv("CONCUR_PY_WRONG_ANSWER"); }
  };
  for (const auto& c : bench::make_cells({.kinds = {case_kind::bench}})) {
    if (c.name() != "sleep/py-asyncio/n10_d100ms") continue;
    if (!c.unsupported.empty()) GTEST_SKIP() << c.unsupported;
    const wrong_answer hook;
    const bench::verdict v = c.verify();
    EXPECT_EQ(v.kind, bench::verdict_kind::fail) << v.detail;
    EXPECT_NE(v.detail.find("tasks finished: expected 10, got 9"), std::string::npos) << v.detail;
    EXPECT_NE(v.detail.find("values: expected 10 elements, got 9"), std::string::npos) << v.detail;
    return;
  }
  FAIL() << "no cell sleep/py-asyncio/n10_d100ms";
}

// The named Python cell of the workload on `p`.
baseline script_cell(const std::vector<baseline>& cells, std::string_view name) {
  for (const auto& b : cells)
    if (b.name == name) return b;
  throw std::logic_error("no cell " + std::string(name));
}

// The pids a failure message names ("pid 123 killed by SIGKILL", "pids 124, 125").
std::vector<long> pids_named(const std::string& what) {
  std::vector<long> out;
  for (std::size_t at = what.find("pid"); at != std::string::npos; at = what.find("pid", at + 1)) {
    std::size_t i = what.find_first_of("0123456789", at);
    while (i != std::string::npos && i < what.size()) {
      std::size_t end = i;
      out.push_back(std::stol(what.substr(i), &end));
      i += end;
      if (what.compare(i, 2, ", ") != 0 || !std::isdigit(static_cast<unsigned char>(what[i + 2])))
        break;
      i += 2;
    }
  }
  return out;
}

// py-processes with a worker killed (SIGKILL, the scripts' test hook) as it takes its first job,
// or as the first process starts: the cell fails at once with a message naming the dead worker,
// and no worker is left running (each other one named, and gone).
void expect_a_killed_worker_fails_the_cell(const baseline& cell, double seconds_otherwise) {
  if (!cell.unavailable.empty()) GTEST_SKIP() << cell.unavailable;
  struct kill_worker {
    kill_worker() { ::setenv("CONCUR_PY_KILL_WORKER", "1", 1); }
    ~kill_worker() { ::unsetenv("CONCUR_PY_KILL_WORKER"); }
  } hook;
  const auto start = std::chrono::steady_clock::now();
  try {
    cell.script(models::config::defaults(), 120);
    ADD_FAILURE() << "a run whose worker was killed passed";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("a worker process ended mid-run (pid "), std::string::npos) << what;
    EXPECT_NE(what.find("killed by SIGKILL"), std::string::npos) << what;
    EXPECT_EQ(what.find("was stopped after"), std::string::npos) << what;  // not by its timeout
    const auto pids = pids_named(what);
    EXPECT_GE(pids.size(), 2u) << what;  // the killed worker and the others
    for (const long pid : pids) EXPECT_TRUE(concur::testing::gone(pid)) << pid << " in " << what;
  }
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took.count(), seconds_otherwise) << "it waited for the work the others had";
}

TEST(python_baselines, a_killed_pool_worker_fails_the_py_processes_cell) {
  // 4 tasks of 20 s each: the others would sleep on, were they not ended.
  const sleep::params p{4, std::chrono::seconds(20), true};
  expect_a_killed_worker_fails_the_cell(script_cell(python::baselines(p), "py-processes"), 15);
}

TEST(python_baselines, a_killed_producer_or_consumer_fails_the_py_processes_cell) {
  // The first consumer dies as it starts: the producers fill the queue and block.
  const prodcons::params p{2, 2, 3, 10'000, true};
  expect_a_killed_worker_fails_the_cell(script_cell(python::baselines(p), "py-processes"), 60);
}

// The computation runs in the worker process: the run's CPU counts it (RUSAGE_CHILDREN, once the
// worker is reaped), and it is more than the parent's own (the heartbeat and the solo pace).
TEST(python_baselines, py_processes_counts_its_workers_cpu) {
  const cpuyield::params p{1'000'000, 0, std::chrono::microseconds(1000), true};
  const auto cell = script_cell(python::baselines(p), "py-processes");
  if (!cell.unavailable.empty()) GTEST_SKIP() << cell.unavailable;
  const script_run run = cell.script(models::config::defaults(), 120);
  double workers = -1;
  for (const auto& [name, value] : run.measured)
    if (name == "workers_cpu_s") workers = value;
  ASSERT_GT(workers, 0) << "no workers_cpu_s measured";
  EXPECT_LE(workers, run.cpu_seconds);
  EXPECT_GT(workers, run.cpu_seconds - workers)
      << "the parent's own: " << run.cpu_seconds - workers;
  EXPECT_TRUE(run.peak_rss_growth.has_value());
  EXPECT_TRUE(std::any_cast<const cpuyield::result&>(run.result) ==
              cpuyield::workload::reference(p));
}

}  // namespace
}  // namespace concur
