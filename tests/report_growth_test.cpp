// report.md's "How cost grows with the work" on a fixture written as concur-bench writes its JSON:
// ladders whose growth, bends and refusals are known.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/vocabulary.hpp"
#include "report/report.hpp"

namespace concur::report {
namespace {

using nlohmann::json;
namespace vocab = concur::vocabulary;

// The runs of one cell, one a round, the wall time made of the ideal and a cost beyond it.
struct cell_spec {
  std::string workload, model, case_name, axis;
  double size = 0, ideal_s = 0, beyond_s = 0, rss_bytes = 0;
  std::string skip;  // a skip message instead of timings
};

// A little noise, the same each round for every cell. Resampled on their own, two rungs a decade
// apart can meet at 0.99 and 1.01 of their medians: a marginal slope's interval is its slope
// ± log10(1.01 / 0.99) = ± 0.009.
constexpr double noise[] = {0.99, 1.0, 1.01};

void add(json& benchmarks, const cell_spec& c) {
  for (int round = 0; round < 3; ++round) {
    json b{{"name", c.workload + "/" + c.model + "/" + c.case_name + "/real_time"},
           {"run_type", "iteration"},
           {"repetition_index", round},
           {"iterations", 1},
           {"time_unit", "ns"}};
    if (!c.skip.empty()) {
      b["error_occurred"] = true;
      b["error_message"] = c.skip;
    } else {
      b["label"] = vocab::make_label({.oracle = "reference", .settings = "s", .ladder = c.axis});
      b["real_time"] = (c.ideal_s + c.beyond_s * noise[round]) * 1e9;
      b[std::string(vocab::counters::ideal_s)] = c.ideal_s;
      if (!c.axis.empty()) b[std::string(vocab::counters::ladder_size)] = c.size;
      b[std::string(vocab::counters::peak_rss_growth)] = c.rss_bytes;
    }
    benchmarks.push_back(b);
  }
}

std::string n_case(double n) {
  return "n" + std::to_string(static_cast<long long>(n));
}

// sleep's tasks: coroutines 2 µs and 500 B a task beyond the ideal, linearly; threads linear to
// 1,000 then quadratic; sequential done at 10 and 100, skipped at 1,000, refused at 10,000; tbb
// beats its ideal once (fitted on the wall time). A categorical case and a second ladder beside.
// A case that repeats a size is no rung. Workload "dirsearch" has no ladder.
results fixture() {
  json benchmarks = json::array();
  for (double n : {10.0, 100.0, 1'000.0, 10'000.0}) {
    const std::string c = n_case(n);
    add(benchmarks, {"sleep", "coroutines", c, "tasks", n, 0.1, 2e-6 * n, 500 * n});
    add(benchmarks, {"sleep", "threads", c, "tasks", n, 0.1,
                     n <= 1'000 ? 1e-5 * n : 1e-2 * (n / 1e3) * (n / 1e3), 8192 * n});
    cell_spec seq{"sleep", "sequential", c, "tasks", n, 0.1 * n, 5e-5 * n, 0};
    if (n == 1'000) seq.skip = "skipped: ideal time 100 s exceeds the budget of 1 s (--budget)";
    if (n == 10'000) seq.skip = "refused: the OS refused a thread";
    add(benchmarks, seq);
    add(benchmarks,
        {"sleep", "tbb", c, "tasks", n, n == 10 ? 0.2 : 0.001, n == 10 ? -0.1 : 1e-3 * n, 0});
  }
  add(benchmarks, {"sleep", "coroutines", "n10_d1ms", "", 0, 0.001, 1e-4, 0});
  for (double c : {4.0, 64.0})
    add(benchmarks,
        {"sleep", "coroutines", "c" + n_case(c), "connections at N = 1,000", c, 0.01, 1e-4 * c, 0});
  add(benchmarks, {"sleep", "coroutines", "again", "tasks", 100, 0.1, 1, 0});  // N = 100 twice
  add(benchmarks, {"dirsearch", "coroutines", "tree", "", 0, 0.01, 0.01, 0});
  return parse(json{{"benchmarks", benchmarks}});
}

// The workload's details file (details/<workload>.md), where the growth tables are.
std::string details_of(const results& r, const std::string& workload) {
  for (const auto& d : to_details_markdown(r))
    if (d.workload == workload) return d.text;
  ADD_FAILURE() << "no details file for " << workload;
  return "";
}

// The row of `model` in the table that follows `title` ("**tasks**").
std::string row_of(const std::string& md, const std::string& title, const std::string& model) {
  std::istringstream in(md.substr(md.find(title)));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("| " + model + " |", 0) == 0) return line;
  ADD_FAILURE() << "no row of " << model << " under " << title << " in\n" << md;
  return "";
}

class report_growth : public ::testing::Test {
 protected:
  const std::string md = to_markdown(fixture());
  const std::string sleep = details_of(fixture(), "sleep");
};

TEST_F(report_growth, one_section_per_workload_with_ladders_and_a_table_per_ladder) {
  EXPECT_NE(sleep.find("## How cost grows with the work"), std::string::npos) << sleep;
  EXPECT_EQ(details_of(fixture(), "dirsearch").find("How cost grows"), std::string::npos);
  // How the fits are made is said once, in report.md's method.
  EXPECT_NE(md.find("**How cost grows with the work.** Each ladder's cases are its rungs"),
            std::string::npos)
      << md;
  EXPECT_EQ(sleep.find("Each ladder's cases are its rungs"), std::string::npos) << sleep;
  EXPECT_NE(sleep.find("**tasks** (N = 10, 100, 1,000 and 10,000):"), std::string::npos) << sleep;
  EXPECT_NE(sleep.find("**connections at N = 1,000** (N = 4 and 64):"), std::string::npos) << sleep;
  EXPECT_EQ(sleep.find("n10_d1ms", sleep.find("How cost grows")), std::string::npos)
      << "a categorical case is no rung\n"
      << sleep;
}

TEST_F(report_growth, a_linear_cost_beyond_the_ideal_has_slope_1_and_its_cost_per_item) {
  const auto line = row_of(sleep, "**tasks**", "coroutines");
  EXPECT_EQ(line.rfind("| coroutines | time beyond the ideal | 10 – 10,000 (4) | 1.00 [1.00–1.00] †"
                       " | 1.00 [0.99–1.01] † | 2.00 µs [1.98–2.02 µs] †75 % | 500 B | – | – |",
                       0),
            0u)
      << line;
  EXPECT_NE(sleep.find("coroutines: time beyond the ideal ∝ N^1.00 (N^1.00 from 1,000 to 10,000), "
                       "2 µs and 500 B per task at 10,000;"),
            std::string::npos)
      << sleep;
}

TEST_F(report_growth, a_cost_that_turns_quadratic_is_said_to_bend_where_it_turns) {
  const auto line = row_of(sleep, "**tasks**", "threads");
  // One line through both parts: slope 1.30 (by hand: least squares over ln N of 10^-4, 10^-3,
  // 10^-2 and 1 s).
  EXPECT_NE(line.find("| 10 – 10,000 (4) | 1.30 [1.30–1.30] † | 2.00 [1.99–2.01] † |"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("| 1,000 → 10,000: N^2.00 [1.99–2.01] † |"), std::string::npos) << line;
  EXPECT_NE(sleep.find("threads: time beyond the ideal ∝ N^1.30 (N^2.00 from 1,000 to 10,000), "),
            std::string::npos)
      << sleep;
  EXPECT_NE(sleep.find("per task at 10,000, bending past linear at 1,000 (N^2.00 beyond)"),
            std::string::npos)
      << sleep;
}

TEST_F(report_growth, rungs_a_model_did_not_complete_are_left_out_and_named) {
  const auto line = row_of(sleep, "**tasks**", "sequential");
  EXPECT_NE(line.find("| 10 – 100 (2) | 1.00 [0.99–1.01] † | – | 50.0 µs [49.5–50.5 µs] †75 %"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("| skipped at 1,000; refused at 10,000 |"), std::string::npos) << line;
  EXPECT_NE(sleep.find("per task at 100 (skipped at 1,000; refused at 10,000)"), std::string::npos)
      << sleep;
}

TEST_F(report_growth, a_case_whose_size_is_taken_is_named_and_left_out) {
  EXPECT_NE(sleep.find("Not rungs of this ladder: again (N = 100, as n100)."), std::string::npos)
      << sleep;
}

TEST_F(report_growth, a_model_that_beat_its_ideal_is_fitted_on_its_wall_time) {
  // tbb's wall time: about 0.1 s at 10 (its ideal 0.2 s), then 0.101, 1.001, 10.001 s.
  const auto line = row_of(sleep, "**tasks**", "tbb");
  EXPECT_EQ(line.rfind("| tbb | wall time | 10 – 10,000 (4) |", 0), 0u) << line;
}

TEST_F(report_growth, each_ladder_is_fitted_on_its_own_axis) {
  const auto line = row_of(sleep, "**connections at N = 1,000**", "coroutines");
  EXPECT_EQ(line.rfind("| coroutines | time beyond the ideal | 4 – 64 (2) | 1.00", 0), 0u) << line;
  EXPECT_NE(sleep.find("and 0 B per connection at 64."), std::string::npos) << sleep;
}

// A rung no model could run (over the descriptor limit): concur-bench's skipped runs carry their
// rung in the label, so the ladder still names it for every model. A peak RSS that fell (threads,
// here) is noise, shown as none.
TEST(report_growth_file, a_rung_every_model_skipped_is_named_on_its_ladder) {
  json benchmarks = json::array();
  for (const std::string model : {"coroutines", "threads"}) {
    for (double n : {1'000.0, 10'000.0})
      add(benchmarks, {"connections", model, n_case(n), "connections", n, 1, 1e-5 * n,
                       (model == "threads" ? -2000 : 2000) * n});
    json skipped{
        {"name", "connections/" + model + "/n100000/real_time"},
        {"run_type", "iteration"},
        {"repetition_index", 0},
        {"error_occurred", true},
        {"error_message", "skipped: 100000 connections need 100256 descriptors"},
        {"label", vocab::make_label(
                      {.oracle = "", .settings = "s", .ladder = "connections", .rung = 100'000})}};
    benchmarks.push_back(skipped);
  }
  const auto md = details_of(parse(json{{"benchmarks", benchmarks}}), "connections");
  EXPECT_NE(md.find("**connections** (N = 1,000, 10,000 and 100,000):"), std::string::npos) << md;
  EXPECT_NE(row_of(md, "**connections** (N", "coroutines").find("| 1.95 KiB | – |"),
            std::string::npos)
      << md;
  EXPECT_NE(row_of(md, "**connections** (N", "threads").find("| – | – | skipped at 100,000 |"),
            std::string::npos)
      << md;
}

}  // namespace
}  // namespace concur::report
