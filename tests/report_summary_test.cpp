// The summary at the top of report.md, on fixture JSON whose winners, margins, ties and refusals
// are known; and the geometric mean's interval it rests on.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <vector>

#include "bench/matrix.hpp"
#include "core/merit.hpp"
#include "core/vocabulary.hpp"
#include "report/report.hpp"
#include "report/stats.hpp"

namespace concur::report {
namespace {

using nlohmann::json;
using vocabulary::verdict_kind;

// A benchmarks array built cell by cell, as concur-bench writes it: one run per round.
class fixture {
 public:
  // A cell timed in rounds 0, 1, ...: one time (ms) per round; extra: counters of every run;
  // ladder: the size ladder's axis of a rung.
  fixture& timed(const std::string& name, const std::vector<double>& ms, bool external = false,
                 const json& extra = json::object(), const std::string& ladder = "") {
    const long long family = family_of(name);
    const auto label = vocabulary::make_label(
        {.oracle = "sequential", .settings = "s", .external = external, .ladder = ladder});
    for (std::size_t i = 0; i < ms.size(); ++i) {
      json run{{"name", name + "/real_time"},
               {"run_name", name + "/real_time"},
               {"run_type", "iteration"},
               {"family_index", family},
               {"repetition_index", i},
               {"iterations", 1},
               {"real_time", ms[i]},
               {"time_unit", "ms"},
               {"label", label}};
      run.update(extra);
      runs_.push_back(std::move(run));
    }
    return *this;
  }
  // A cell that was not timed: its skip message in every round.
  fixture& not_timed(const std::string& name, verdict_kind kind, const std::string& detail) {
    runs_.push_back({{"name", name + "/real_time"},
                     {"run_name", name + "/real_time"},
                     {"run_type", "iteration"},
                     {"family_index", family_of(name)},
                     {"repetition_index", 0},
                     {"error_occurred", true},
                     {"error_message", vocabulary::skip_message(kind, detail)}});
    return *this;
  }
  fixture& context(std::string_view key, const std::string& value) {
    context_[std::string(key)] = value;
    return *this;
  }
  results parsed() const { return parse(json{{"context", context_}, {"benchmarks", runs_}}); }
  std::string markdown() const { return to_markdown(parsed()); }
  // Every details/<workload>.md, one after another: the per-case tables.
  std::string details() const {
    std::string out;
    for (const auto& d : to_details_markdown(parsed())) out += d.text;
    return out;
  }

 private:
  long long family_of(const std::string& name) {
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name) return static_cast<long long>(i);
    names_.push_back(name);
    return static_cast<long long>(names_.size() - 1);
  }
  std::vector<std::string> names_;
  json runs_ = json::array();
  json context_ = {{"rounds_seed", "1"}, {"rounds_done", "8"}};  // a run that ended
};

// Times around `ms`, alternately a little above and below (the rounds' noise).
std::vector<double> around(double ms, double spread = 0.01, std::size_t n = 8) {
  std::vector<double> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(ms * (1 + spread * (i % 2 ? 1 : -1) * static_cast<double>(i % 3 + 1) / 3));
  return out;
}

std::vector<double> scaled(std::vector<double> v, double factor) {
  for (auto& x : v) x *= factor;
  return v;
}

std::string summary_of(const std::string& md) {
  const auto begin = md.find("## Summary");
  const auto end = md.find("\n## ", begin + 1);
  if (begin == std::string::npos) ADD_FAILURE() << "no summary in\n" << md;
  return md.substr(begin, end - begin);
}

// The table's cells of one workload, after the workload's own ("| alpha: wall time |").
std::vector<std::string> row_of(const std::string& md, const std::string& workload) {
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| " + workload + ": ", 0) != 0) continue;
    std::vector<std::string> cells;
    std::string rest = line.substr(line.find(" | ") + 3);  // "a | b |"
    for (auto at = rest.find(" |"); at != std::string::npos; at = rest.find(" |")) {
      cells.push_back(rest.substr(0, at));
      rest = rest.substr(std::min(at + 3, rest.size()));
    }
    return cells;
  }
  ADD_FAILURE() << "no row for " << workload << " in\n" << md;
  return {};
}

std::string sentence_of(const std::string& md, const std::string& workload) {
  const auto at = md.find("- **" + workload + "** (");
  if (at == std::string::npos) {
    ADD_FAILURE() << "no sentence for " << workload << " in\n" << md;
    return "";
  }
  return md.substr(at, md.find('\n', at) - at);
}

// fast is best on both cases; slow takes 2x and 4x its time (geometric mean 2.83x, exact since
// every round's ratio is the same); same is not resolved from fast; limited was refused on both;
// partial completed one case; the external tool ran one case in half fast's time.
fixture alpha() {
  fixture f;
  const auto x = around(10), y = around(100);
  f.timed("alpha/fast/x", x).timed("alpha/slow/x", scaled(x, 2));
  f.timed("alpha/same/x", scaled(around(10, 0.03), 1.001));
  f.not_timed("alpha/limited/x", verdict_kind::refused, "the OS refused thread 7 of 100");
  f.timed("alpha/partial/x", scaled(x, 3)).timed("alpha/tool/x", scaled(x, 0.5), true);
  f.timed("alpha/fast/y", y).timed("alpha/slow/y", scaled(y, 4));
  f.timed("alpha/same/y", scaled(around(100, 0.03), 1.001));
  f.not_timed("alpha/limited/y", verdict_kind::refused, "the OS refused thread 7 of 1000");
  f.not_timed("alpha/partial/y", verdict_kind::skipped, "ideal time 50 s exceeds the budget");
  return f;
}

TEST(report_summary, the_summary_is_the_first_section) {
  const auto md = alpha().markdown();
  // Only the contents line stands between the title and the summary.
  EXPECT_EQ(md.rfind("# concur benchmark report\n\nContents: [Summary", 0), 0u) << md;
  EXPECT_EQ(md.find("\n## "), md.find("\n## Summary")) << md;
  EXPECT_LT(md.find("## Summary"), md.find("## Machine during the run")) << md;
}

// A cell that failed verification is news before the summary: named at the top with its
// reason's first line and a link to the details, where the whole diff is.
TEST(report_summary, a_failed_cell_is_named_at_the_top_with_its_reason) {
  auto f = alpha();
  f.not_timed("alpha/fast/z", verdict_kind::fail, "3 entries differ\n- a/b\n+ a/c");
  const auto md = f.markdown();
  const auto top = md.substr(0, md.find("Contents: "));
  EXPECT_NE(top.find("> **1 cell did not pass**"), std::string::npos) << md;
  EXPECT_NE(top.find("> - `alpha/fast/z` FAIL: 3 entries differ ([details](details/alpha.md))"),
            std::string::npos)
      << top;
  EXPECT_EQ(top.find("+ a/c"), std::string::npos) << "the first line only: " << top;
  EXPECT_EQ(alpha().markdown().find("did not pass"), std::string::npos);
}

TEST(report_summary, a_cell_is_the_time_over_the_best_models_with_its_interval) {
  const auto md = summary_of(alpha().markdown());
  const auto row = row_of(md, "alpha");
  ASSERT_EQ(row.size(), 5u) << md;  // fast, slow, same, limited, partial: not the tool
  EXPECT_EQ(row[0], "**best**");
  EXPECT_EQ(row[1], "2.83× [2.83–2.83]");
  EXPECT_EQ(row[2].rfind("tie: 1.0", 0), 0u) << row[2];
  EXPECT_EQ(row[3], "refused");
  EXPECT_EQ(row[4], "3.00× [3.00–3.00] · 1 of 2");
}

// The line answers first: the best with its value at the headline case (the largest, here the
// last), then every other model nearest first, what did not rank, and what was set beside.
TEST(report_summary, the_line_names_the_best_its_value_and_the_others_in_order) {
  const auto s = sentence_of(alpha().markdown(), "alpha");
  EXPECT_EQ(s.rfind("- **alpha** (wall time): **fast** 100 ms [", 0), 0u) << s;
  EXPECT_NE(s.find("] (at y); then same 1.0"), std::string::npos) << s;
  // The others' ratios alone (the table under the lines gives their intervals); the programs, not
  // in the table, with theirs.
  EXPECT_NE(s.find(" (tie); slow 2.83×; partial 3.00× on 1 of 2 cases (skipped 1). limited "
                   "refused. Beside it: tool 0.500× [0.500–0.500] on 1 of 2 cases."),
            std::string::npos)
      << s;
}

// The summary answers for the default run: a sweep's rungs and the test cases stay out of it
// (they remain in the workload's own tables), unless the workload ran nothing else.
TEST(report_summary, the_cases_are_the_default_runs) {
  auto f = alpha();
  f.context(vocabulary::context::sweep_cases, "alpha/y,other/z");
  const auto md = summary_of(f.markdown());
  const auto row = row_of(md, "alpha");
  ASSERT_EQ(row.size(), 5u) << md;
  EXPECT_EQ(row[1], "2.00× [2.00–2.00]");  // x alone
  EXPECT_EQ(row[4], "3.00× [3.00–3.00]");  // partial completed x, all there is now

  f.context(vocabulary::context::test_cases, "alpha/x");
  EXPECT_EQ(row_of(summary_of(f.markdown()), "alpha")[1], "2.83× [2.83–2.83]");
}

// A model that completed fewer cases is not ranked on the others, however fast on its own.
TEST(report_summary, the_best_is_among_the_models_that_completed_the_most_cases) {
  fixture f;
  f.timed("beta/quick/x", around(1)).timed("beta/full/x", around(2));
  f.not_timed("beta/quick/y", verdict_kind::refused, "the OS refused thread 9");
  f.timed("beta/full/y", around(50));
  const auto md = summary_of(f.markdown());
  const auto row = row_of(md, "beta");
  ASSERT_EQ(row.size(), 2u) << md;
  EXPECT_EQ(row[0], "0.500× [0.500–0.500] · 1 of 2");
  EXPECT_EQ(row[1], "**best**");
  EXPECT_NE(sentence_of(md, "beta")
                .find("**full** 50 ms [49.5–50.5 ms] (at y); then quick 0.500× on 1 of 2 "
                      "cases (refused 1)."),
            std::string::npos)
      << md;
}

// A near tie where the medians (b 2.2 against a 3) and the per-round ratios (b / a: 2.2, 2.2, 0.5,
// 0.5, 1.1, median 1.1) disagree. The stated rule: the best has the lowest geometric mean of its
// medians, and every model as complete is at least 1x of it, the table's figure being a ratio of
// medians.
TEST(report_summary, a_near_tie_follows_the_stated_rule) {
  fixture f;
  f.timed("zeta/a/x", {1, 2, 3, 4, 5}).timed("zeta/b/x", {2.2, 4.4, 1.5, 2, 5.5});
  const auto md = summary_of(f.markdown());
  const auto row = row_of(md, "zeta");
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row[1], "**best**");
  EXPECT_EQ(row[0].rfind("tie: 1.36× [", 0), 0u) << row[0];
  EXPECT_NE(
      f.markdown().find("every other model that completed those cases is then at least 1× of it"),
      std::string::npos);
}

// The rule holds on any numbers: seeded fixtures of near-equal models whose rounds disagree, and
// no model as complete as the best is below 1x of it.
TEST(report_summary, no_model_as_complete_is_below_the_best) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> noise(0.7, 1.3);
  for (int trial = 0; trial < 40; ++trial) {
    fixture f;
    for (const char* model : {"a", "b", "c", "d"})
      for (const char* c : {"x", "y", "z"}) {
        std::vector<double> ms(6);
        for (auto& m : ms) m = 10 * noise(rng);
        f.timed(fmt::format("w/{}/{}", model, c), ms);
      }
    const auto row = row_of(summary_of(f.markdown()), "w");
    ASSERT_EQ(row.size(), 4u);
    EXPECT_EQ(std::count(row.begin(), row.end(), "**best**"), 1);
    for (const auto& cell : row) {
      if (cell == "**best**") continue;
      const auto digits = cell.substr(cell.find_first_of("0123456789"));
      EXPECT_GE(std::stod(digits), 1.0) << cell;
    }
  }
}

// ---- Each workload's own figure of merit ----

// A workload that asks how long its loop goes unserved ranks on that metric, not on time: the
// slowest model can be the best; models with no loop show "–" with why and are never best; the
// floor is shown, never ranked; the costs are quoted beside.
TEST(report_summary, a_workload_ranks_on_its_declared_figure) {
  using merit::quantity;
  const merit::declaration d{
      .primary = {.of = quantity::metric, .metric = "gap_ms", .unit = "ms", .title = "the gap"},
      .costs = {{.of = quantity::wall_time}},
      .item = "call",
      .floor = "floor",
      .absent_why = "runs no loop"};
  const auto gap = [](double ms) { return json{{"gap_ms", ms}}; };
  fixture f;
  f.context(std::string(vocabulary::context::merit_prefix) + "off", merit::to_text(d));
  f.timed("off/floor/x", around(2), false, gap(0.5));
  f.timed("off/loopy/x", around(30), false, gap(2));
  f.timed("off/laggy/x", around(10), false, gap(100));
  f.timed("off/plain/x", around(5));  // fastest, but has no loop to time
  const auto md = summary_of(f.markdown());
  EXPECT_EQ(row_of(md, "off"), (std::vector<std::string>{"floor: 0.250× [0.250–0.250]", "**best**",
                                                         "50.0× [50.0–50.0]", "–"}))
      << md;
  const auto s = sentence_of(md, "off");
  EXPECT_EQ(s.rfind("- **off** (the gap · wall time): **loopy** 2 ms [2–2 ms] · 30 ms; then "
                    "laggy 50.0× · 10 ms. floor floor 0.250× · 2 ms; plain: – (runs no loop).",
                    0),
            0u)
      << s;
  EXPECT_NE(md.find("| off: wall time (x) | 2 ms [1.98–2.02 ms] | 30 ms [29.7–30.3 ms] |"),
            std::string::npos)
      << md;
}

// A workload whose cases each ask their own question names the best at each, the sweep's rungs
// included (the test cases not): a model that wins under few connections and loses under many
// is the best of one line and ranked in the other, with its costs quoted at that case.
TEST(report_summary, a_workload_of_separate_questions_has_a_best_per_case) {
  using merit::quantity;
  const merit::declaration d{
      .primary = {.of = quantity::wall_time},
      .costs = {{.of = quantity::metric, .metric = "p99_ms", .unit = "ms", .title = "p99"}},
      .item = "connection",
      .per_case = true};
  const auto p99 = [](double ms) { return json{{"p99_ms", ms}}; };
  fixture f;
  f.context(std::string(vocabulary::context::merit_prefix) + "srv", merit::to_text(d));
  f.context(vocabulary::context::sweep_cases, "srv/c10k");
  f.context(vocabulary::context::test_cases, "srv/c1");
  for (const char* c : {"c1", "c64"}) {
    f.timed(fmt::format("srv/loop/{}", c), around(10), false, p99(1));
    f.timed(fmt::format("srv/threads/{}", c), around(20), false, p99(3));
  }
  f.timed("srv/loop/c10k", around(40), false, p99(9));
  f.timed("srv/threads/c10k", around(10), false, p99(30));
  const auto md = summary_of(f.markdown());
  const auto at = md.find("- **srv** (wall time · p99), the best at each case:\n");
  ASSERT_NE(at, std::string::npos) << md;
  EXPECT_NE(md.find("  - c64: **loop** 10 ms [9.9–10.1 ms] · 1 ms; then threads 2.00× · 3 ms.\n"
                    "  - c10k: **threads** 10 ms [9.9–10.1 ms] · 30 ms; then loop 4.00× · 9 ms.\n",
                    at),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("  - c1:"), std::string::npos) << md;
  EXPECT_EQ(row_of(md, "srv"), (std::vector<std::string>{"1.41× [1.41–1.41]", "**best**"})) << md;
}

// A Python cell without the workload's figure (a script with no loop) still has its time, CPU
// and memory set beside its counterpart's: it is in the Python table, not listed as untimed.
// A server's run lasts as long as its load, whoever serves: its Python cell is set beside its
// counterpart on the time per request, and the process's CPU and memory, not the server's, on
// nothing.
TEST(report_summary, a_python_server_is_compared_on_its_own_figure_not_the_fixed_wall_time) {
  using merit::quantity;
  const merit::declaration d{
      .primary = {.of = quantity::metric, .metric = "us_per_req", .unit = "µs", .title = "t/req"},
      .fixed_wall_time = true};
  fixture f;
  f.context(std::string(vocabulary::context::merit_prefix) + "srv", merit::to_text(d));
  f.timed("srv/loop/x", around(200), false, json{{"us_per_req", 10}});
  f.timed("srv/py-loop/x", around(200), true,
          json{{"us_per_req", 90},
               {"label", vocabulary::make_label({.oracle = "sequential",
                                                 .settings = "s",
                                                 .external = true,
                                                 .counterpart = "loop"})}});
  const auto md = f.markdown();
  EXPECT_NE(md.find("| srv | py-loop | all 1 | 9.00× [9.00–9.00] | – | – |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("; time: srv's is its t/req (its wall time is the case's)"), std::string::npos)
      << md;
}

TEST(report_summary, a_python_cell_without_the_figure_is_compared_on_time) {
  using merit::quantity;
  const merit::declaration d{
      .primary = {.of = quantity::metric, .metric = "gap_ms", .unit = "ms", .title = "the gap"},
      .absent_why = "runs no loop"};
  fixture f;
  f.context(std::string(vocabulary::context::merit_prefix) + "off", merit::to_text(d));
  f.context(vocabulary::context::model_order, "plain,loopy");
  f.timed("off/plain/x", around(5));
  f.timed("off/loopy/x", around(30), false, json{{"gap_ms", 2}});
  f.timed("off/py-plain/x", scaled(around(5), 2), true,
          json{{"label", vocabulary::make_label({.oracle = "sequential",
                                                 .settings = "s",
                                                 .external = true,
                                                 .counterpart = "plain"})}});
  const auto md = f.markdown();
  EXPECT_NE(md.find("| off | py-plain | all 1 | 2.00× [2.00–2.00] |"), std::string::npos) << md;
  EXPECT_EQ(md.find("The course's Python, "), std::string::npos) << md;
}

// A figure per item divides each run by its items (items/s times its time): 100 items in 10 ms
// are 100 µs per item.
TEST(report_summary, a_figure_per_item_is_quoted_per_item) {
  using merit::quantity;
  const merit::declaration d{.primary = {.of = quantity::wall_time, .per_item = true},
                             .item = "hand-off"};
  fixture f;
  f.context(std::string(vocabulary::context::merit_prefix) + "pc", merit::to_text(d));
  f.timed("pc/a/x", std::vector<double>(6, 10), false, {{"items_per_second", 10'000.0}});
  f.timed("pc/b/x", std::vector<double>(6, 20), false, {{"items_per_second", 5'000.0}});
  const auto s = sentence_of(summary_of(f.markdown()), "pc");
  EXPECT_EQ(
      s.rfind("- **pc** (wall time per hand-off): **a** 100 µs [100–100 µs]; then b 2.00×.", 0), 0u)
      << s;
}

// Every ratio in the summary's table is recomputed from the per-cell medians of cells.csv (the
// detailed table's figures): the geometric mean over the shared cases of the ratios of medians.
TEST(report_summary, every_summary_ratio_is_recomputed_from_the_detailed_medians) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> noise(0.8, 1.25);
  fixture f;
  const std::vector<std::string> models{"a", "b", "c"}, cases{"x", "y"};
  for (const auto& m : models)
    for (const auto& c : cases) {
      std::vector<double> ms(6);
      for (auto& x : ms)
        x = (c == "x" ? 10 : 200) * (m == "a" ? 1 : m == "b" ? 1.5 : 3) * noise(rng);
      f.timed(fmt::format("w/{}/{}", m, c), ms);
    }
  // The medians, read back from cells.csv as a reader would.
  std::map<std::pair<std::string, std::string>, double> median;
  std::istringstream csv(to_cells_csv(f.parsed()));
  std::string line;
  std::getline(csv, line);  // header: workload,model,case,verdict,n,median_s,...
  while (std::getline(csv, line)) {
    std::vector<std::string> field;
    std::istringstream in(line);
    for (std::string x; std::getline(in, x, ',');) field.push_back(x);
    median[{field[1], field[2]}] = std::stod(field[5]);
  }
  const auto row = row_of(summary_of(f.markdown()), "w");
  ASSERT_EQ(row.size(), models.size());
  const auto best = models[std::find(row.begin(), row.end(), "**best**") - row.begin()];
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (models[i] == best) continue;
    double log_sum = 0;
    for (const auto& c : cases) log_sum += std::log(median[{models[i], c}] / median[{best, c}]);
    const double expected = std::exp(log_sum / static_cast<double>(cases.size()));
    const auto digits = row[i].substr(row[i].find_first_of("0123456789"));
    EXPECT_NEAR(std::stod(digits), expected, expected * 0.006) << row[i];  // 3 digits shown
  }
}

TEST(merit, a_declaration_reads_back_as_written) {
  using merit::quantity;
  const merit::declaration d{
      .primary = {.of = quantity::metric, .metric = "m", .unit = "µs", .title = "t"},
      .costs = {{.of = quantity::peak_memory, .per_item = true}, {.of = quantity::cpu_time}},
      .item = "task",
      .every_rung = true,
      .per_case = true,
      .fixed_wall_time = true,
      .floor = "sequential",
      .absent_why = "why"};
  EXPECT_EQ(merit::parse(merit::to_text(d)), d);
  EXPECT_EQ(merit::parse("not json"), std::nullopt);
  EXPECT_EQ(merit::parse(R"({"primary": {"of": "nonsense"}})"), std::nullopt);
  EXPECT_EQ(merit::parse(R"({"primary": {"of": "metric"}, "item": 3})"), std::nullopt);
  EXPECT_EQ(merit::title_of({.of = quantity::peak_memory, .per_item = true}, "task"),
            "memory per task");
}

TEST(report_summary, a_workload_no_model_completed_says_what_each_came_to) {
  fixture f;
  f.not_timed("gamma/a/x", verdict_kind::skipped, "over budget");
  f.not_timed("gamma/b/x", verdict_kind::unsupported, "no timers here");
  const auto md = summary_of(f.markdown());
  EXPECT_EQ(row_of(md, "gamma"), (std::vector<std::string>{"skipped", "unsupported"})) << md;
  EXPECT_NE(
      md.find("- **gamma** (wall time): no model completed a case (a skipped; b unsupported)."),
      std::string::npos)
      << md;
}

// Single runs (concur-bench --quick) give a ratio but no interval, and no tie is claimed.
TEST(report_summary, single_runs_give_no_interval) {
  fixture f;
  f.timed("delta/a/x", {10}).timed("delta/b/x", {30});
  const auto row = row_of(summary_of(f.markdown()), "delta");
  EXPECT_EQ(row, (std::vector<std::string>{"**best**", "3× (1 run: no interval)"}));
}

TEST(report_summary, a_case_with_few_runs_marks_the_interval) {
  fixture f;
  f.timed("eps/a/x", around(10, 0.01, 5)).timed("eps/b/x", scaled(around(10, 0.01, 5), 2));
  const auto row = row_of(summary_of(f.markdown()), "eps");
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row[1], "2.00× [2.00–2.00] †");
}

// ---- Small truths in the per-workload sections ----

// The detailed table's columns of one model on one case, after the two.
std::vector<std::string> detailed_row(const std::string& md, const std::string& c,
                                      const std::string& model) {
  const std::string start = "| " + c + " | " + model + " | ";
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(start, 0) != 0) continue;
    std::vector<std::string> out;
    std::string rest = line.substr(start.size());
    for (auto at = rest.find(" |"); at != std::string::npos; at = rest.find(" |")) {
      out.push_back(rest.substr(0, at));
      rest = rest.substr(std::min(at + 3, rest.size()));
    }
    if (out.size() > 5) return out;  // not the table of the figures the workload measured
  }
  ADD_FAILURE() << "no detailed row for " << c << " / " << model << " in\n" << md;
  return {};
}

// The columns after case and model: median, n, CV, min, speed-up, efficiency, ideal, CPU, peak
// RSS growth, bytes / item, verdict.
constexpr std::size_t efficiency_column = 5, ideal_column = 6, growth_column = 8, bytes_column = 9;

TEST(report_small_truths, a_case_without_an_ideal_time_has_no_efficiency) {
  fixture f;
  f.timed("pc/sequential/x", around(1), false, {{"ideal_s", 0.0}, {"efficiency", 0.0}});
  f.timed("pc/threads/x", around(5), false, {{"ideal_s", 0.0}, {"efficiency", 0.0}});
  const auto row = detailed_row(f.details(), "x", "threads");
  ASSERT_GT(row.size(), ideal_column);
  EXPECT_EQ(row[efficiency_column], "–");
  EXPECT_EQ(row[ideal_column], "–");
}

TEST(report_small_truths, the_largest_case_is_told_only_up_a_size_ladder) {
  fixture categorical;
  categorical.timed("cat/a/big", around(1)).timed("cat/a/small", around(1));
  EXPECT_EQ(categorical.details().find("Largest"), std::string::npos);

  fixture ladder;
  const auto rung = [](double size) { return json{{"ladder_size", size}}; };
  ladder.timed("lad/a/small", around(1), false, rung(10), "tasks");
  ladder.timed("lad/b/small", around(2), false, rung(10), "tasks");
  ladder.timed("lad/a/big", around(3), false, rung(1000), "tasks");
  ladder.not_timed("lad/b/big", verdict_kind::refused, "the OS refused thread 9 of 1000");
  const auto md = ladder.details();
  EXPECT_NE(md.find("Largest rung of the tasks ladder each model completed: **a** big (1000 "
                    "tasks); **b** small (10 tasks).\n"),
            std::string::npos)
      << md;
}

// The course's Python measures its peak RSS in its own process, where the growth can come out
// negative: no negative memory figure is shown.
TEST(report_small_truths, a_negative_memory_growth_shows_a_dash) {
  fixture f;
  f.timed("w/sequential/x", around(10), false, {{"peak_rss_growth", 0.0}, {"bytes_per_item", 0.0}});
  f.timed("w/py-sequential/x", scaled(around(10), 2), true,
          {{"peak_rss_growth", -4096.0}, {"bytes_per_item", -40.96}});
  const auto md = f.details();
  const auto row = detailed_row(md, "x", "py-sequential");
  ASSERT_GT(row.size(), bytes_column);
  EXPECT_EQ(row[growth_column], "–");
  EXPECT_EQ(row[bytes_column], "–");
  EXPECT_NE(md.find("| x | sequential | py-sequential | 2.00× [2.00–2.00] | – | 0 B · – |"),
            std::string::npos)
      << md;
}

// A file that names the model order takes a Python cell's counterpart from its label alone,
// whatever the cell is called: the report knows no Python cell by name.
TEST(report_small_truths, a_python_cell_is_set_beside_the_model_its_label_names) {
  const auto py_label = [](const std::string& counterpart) {
    return json{{"label", vocabulary::make_label({.oracle = "sequential",
                                                  .settings = "s",
                                                  .external = true,
                                                  .counterpart = counterpart})}};
  };
  fixture f;
  f.context(vocabulary::context::model_order, "sequential,threads");
  f.timed("w/sequential/x", around(10));
  f.timed("w/threads/x", around(5));
  f.timed("w/py-mine/x", scaled(around(5), 3), true, py_label("threads"));
  f.timed("w/py-sequential/x", scaled(around(10), 2), true);  // no counterpart in its label
  const auto md = f.details();
  EXPECT_NE(md.find("## C++ vs the course's Python"), std::string::npos) << md;
  EXPECT_NE(md.find("| x | threads | py-mine | 3.00× [3.00–3.00] |"), std::string::npos) << md;
  EXPECT_EQ(md.find("| x | sequential | py-sequential |"), std::string::npos) << md;
}

// A skip message names its kind once: "skipped: ideal time ...", never "skipped: skipped: ...".
// Nearly every cell of the matrix is over a tiny budget, or its Python is off, so the reasons a
// cell can be skipped for before it runs are all here.
TEST(report_small_truths, no_skip_message_repeats_its_kind) {
  for (const auto python :
       {bench::python_cells::none, bench::python_cells::first_case, bench::python_cells::all})
    for (const auto& c : bench::make_cells({.budget_seconds = 1e-9, .python = python})) {
      const auto message = c.skip_message();
      if (message.empty()) continue;  // no ideal time to exceed the budget (a real tree's case)
      const auto skip = vocabulary::parse_skip_message(message);
      EXPECT_NE(skip.kind, verdict_kind::error) << message;
      for (const auto kind : {verdict_kind::skipped, verdict_kind::unsupported,
                              verdict_kind::refused, verdict_kind::fail})
        EXPECT_FALSE(skip.detail.starts_with(std::string(vocabulary::to_string(kind)) + ":"))
            << c.name() << ": " << message;
    }
}

// ---- The interval of a geometric mean of ratios ----

TEST(bootstrap_geometric_mean, constant_ratios_give_their_geometric_mean_exactly) {
  const std::vector<double> a1{2, 4, 6}, b1{1, 2, 3}, a2{8, 16, 8}, b2{1, 2, 1};
  const std::vector<stats::ratio_stratum> strata{{a1, b1, true}, {a2, b2, true}};
  const auto r = stats::bootstrap_geometric_mean(strata);
  EXPECT_DOUBLE_EQ(r.estimate, 4.0);  // sqrt(2 * 8)
  EXPECT_DOUBLE_EQ(r.ci.lo, 4.0);
  EXPECT_DOUBLE_EQ(r.ci.hi, 4.0);
  EXPECT_TRUE(r.ci.below_level);  // 3 runs: no order-statistic 95 % interval
}

// Unpaired, the same numbers vary with the rounds: the interval widens around the estimate, and a
// stratum that resolves nothing on its own (ratios either side of 1) keeps the mean unresolved.
TEST(bootstrap_geometric_mean, noise_widens_the_interval_around_the_estimate) {
  const std::vector<double> a{9, 10, 11, 10, 9.5, 10.5, 10, 10},
      b{10, 9, 11, 10.5, 10, 9.5, 10, 10};
  const std::vector<stats::ratio_stratum> strata{{a, b, false}, {b, a, false}};
  const auto r = stats::bootstrap_geometric_mean(strata);
  EXPECT_NEAR(r.estimate, 1.0, 1e-12);
  EXPECT_LT(r.ci.lo, 1.0);
  EXPECT_GT(r.ci.hi, 1.0);
  EXPECT_FALSE(r.ci.below_level);
  EXPECT_TRUE(stats::no_difference_resolved(r.ci));
}

TEST(bootstrap_geometric_mean, rejects_what_has_no_mean) {
  EXPECT_THROW(stats::bootstrap_geometric_mean({}), std::invalid_argument);
  const std::vector<double> a{1, 2}, b{1};
  const std::vector<stats::ratio_stratum> uneven{{a, b, true}};
  EXPECT_THROW(stats::bootstrap_geometric_mean(uneven), std::invalid_argument);
}

}  // namespace
}  // namespace concur::report
