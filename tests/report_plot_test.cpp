// The report's plots: which figures a workload gets (bars for categorical cases, a time and a
// memory plot per size ladder), their numbers (medians with 95 % intervals), their gnuplot
// scripts, the links in report.md, and, where gnuplot is installed, the PNG and SVG files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "core/process.hpp"
#include "core/vocabulary.hpp"
#include "models/models.hpp"
#include "report/report.hpp"
#include "report/report_plot.hpp"
#include "tests/support.hpp"

namespace concur::report::detail {
namespace {

struct cell {
  std::string workload, model, case_name;
  std::vector<double> times;  // one row per time; none: a skipped cell
  std::string ladder = {};
  double size = 0;
  double bytes_per_item = 0;
};

results make(const std::vector<cell>& cells) {
  results r;
  for (const auto& c : cells) {
    row x{.workload = c.workload, .model = c.model, .case_name = c.case_name};
    if (c.times.empty()) {
      x.verdict = "skipped";
      x.detail = "ideal time exceeds the budget";
      r.rows.push_back(x);
      continue;
    }
    x.verdict = "pass";
    x.ladder = c.ladder;
    if (!c.ladder.empty()) x.ladder_size = c.size;
    x.bytes_per_item = c.bytes_per_item;
    for (std::size_t i = 0; i < c.times.size(); ++i) {
      x.repetition = static_cast<int>(i);
      x.real_s = c.times[i];
      r.rows.push_back(x);
    }
  }
  return r;
}

// fetch as --sweep will run it: two categorical cases, a ladder of URLs (three rungs, given out
// of order) and one of connections (two rungs), a second workload with one rung only.
results sweep() {
  const std::vector<double> six{1.0, 1.1, 1.2, 1.3, 1.4, 1.5};
  return make({
      {"fetch", "threads", "small", {0.010, 0.011, 0.012}},
      {"fetch", "coroutines", "small", {0.020, 0.021, 0.022}},
      {"fetch", "threads", "it's big", {}},
      {"fetch", "coroutines", "it's big", {2.0, 2.1, 2.2}},
      {"fetch", "threads", "n10000", six, "URLs at C = 64", 10'000, 2048},
      {"fetch", "coroutines", "n10000", six, "URLs at C = 64", 10'000, 512},
      {"fetch", "threads", "n100", {0.01, 0.02}, "URLs at C = 64", 100, 0},
      {"fetch", "coroutines", "n100", {0.01, 0.02}, "URLs at C = 64", 100, 0},
      {"fetch", "threads", "n1000", {0.1, 0.2}, "URLs at C = 64", 1'000},
      {"fetch", "coroutines", "n1000", {}},
      {"fetch", "threads", "c1", {3.0}, "connections at N = 1000", 1},
      {"fetch", "threads", "c64", {0.2}, "connections at N = 1000", 64},
      {"sleep", "tbb", "n10", {0.5}, "tasks", 10},
      {"sleep", "coroutines", "n10", {0.1}, "tasks", 10},
  });
}

const figure* find(const std::vector<figure>& fs, const std::string& stem) {
  const auto it = std::find_if(fs.begin(), fs.end(), [&](auto& f) { return f.stem == stem; });
  return it == fs.end() ? nullptr : &*it;
}

std::vector<std::string> stems(const std::vector<figure>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.stem);
  return out;
}

TEST(report_plot, categorical_cases_share_bars_and_each_ladder_gets_time_and_memory_plots) {
  const auto r = sweep();
  const auto workloads = by_workload(r);
  const auto fs = figures_of(workloads[0]);
  EXPECT_EQ(stems(fs),
            (std::vector<std::string>{"fetch", "fetch-urls-at-c-64", "fetch-urls-at-c-64-memory",
                                      "fetch-connections-at-n-1000"}));
  EXPECT_EQ(fs[0].kind, figure_kind::cases);
  EXPECT_EQ(fs[0].cases, (std::vector<std::string>{"small", "it's big"}));
  const figure* urls = find(fs, "fetch-urls-at-c-64");
  ASSERT_NE(urls, nullptr);
  EXPECT_EQ(urls->kind, figure_kind::ladder_time);
  EXPECT_EQ(urls->axis, "URLs at C = 64");
  EXPECT_EQ(urls->cases, (std::vector<std::string>{"n100", "n1000", "n10000"}));
  EXPECT_EQ(urls->sizes, (std::vector<double>{100, 1'000, 10'000}));
  // No bytes grown on the connections ladder: no memory plot for it.
  EXPECT_EQ(find(fs, "fetch-connections-at-n-1000-memory"), nullptr);

  // One rung is no line: a case like any other.
  const auto sleep = figures_of(workloads[1]);
  ASSERT_EQ(sleep.size(), 1u);
  EXPECT_EQ(sleep[0].kind, figure_kind::cases);
  EXPECT_EQ(sleep[0].cases, (std::vector<std::string>{"n10"}));
}

TEST(report_plot, files_without_ladders_get_bars_only) {
  const auto r = make(
      {{"dirsearch", "threads", "tree_200k", {0.1}}, {"dirsearch", "threads", "cold_200k", {0.9}}});
  const auto fs = figures_of(by_workload(r)[0]);
  ASSERT_EQ(fs.size(), 1u);
  EXPECT_EQ(fs[0].kind, figure_kind::cases);
  EXPECT_EQ(fs[0].cases.size(), 2u);
}

TEST(report_plot, points_are_medians_with_their_order_statistic_intervals) {
  const auto r = sweep();
  const auto w = by_workload(r)[0];
  const auto fs = figures_of(w);
  const auto time = data_of(w, *find(fs, "fetch-urls-at-c-64"));
  const estimate* e = time.find("threads", "n10000");
  ASSERT_NE(e, nullptr);
  EXPECT_DOUBLE_EQ(e->median, 1.25);
  EXPECT_EQ(e->n, 6u);
  EXPECT_DOUBLE_EQ(e->lo, 1.0);  // 6 runs: [x(1), x(6)] covers 96.9 %
  EXPECT_DOUBLE_EQ(e->hi, 1.5);
  EXPECT_FALSE(e->below_level);
  EXPECT_TRUE(time.find("threads", "n100")->below_level);  // 2 runs
  EXPECT_EQ(time.find("coroutines", "n1000"), nullptr);    // skipped

  const auto memory = data_of(w, *find(fs, "fetch-urls-at-c-64-memory"));
  EXPECT_DOUBLE_EQ(memory.find("coroutines", "n10000")->median, 512);
  EXPECT_EQ(memory.find("coroutines", "n100"), nullptr);  // 0 B: nothing on a log axis
}

TEST(report_plot, a_model_has_one_colour_in_every_plot) {
  const auto colours = colours_of(concur::models::names(), by_workload(sweep()));
  EXPECT_EQ(colours.size(), 3u);  // threads, coroutines, tbb
  EXPECT_NE(colours.at("threads"), colours.at("coroutines"));
  EXPECT_NE(colours.at("tbb"), colours.at("coroutines"));
  const auto r = sweep();
  const auto w = by_workload(r)[0];
  for (const auto& f : figures_of(w)) {
    const auto script = gnuplot_script(w, f, colours, "/out");
    EXPECT_NE(script.find(colours.at("threads")), std::string::npos) << f.stem;
  }
}

// Seven models, the four Python cells and three programs in one report: fourteen colours, a
// model's the same whichever others ran, its Python cell's a shade of it.
TEST(report_plot, every_model_and_program_has_a_colour_of_its_own) {
  const auto order = concur::models::names();
  std::vector<workload_cells> workloads(2);
  workloads[0].models = order;
  workloads[0].models.insert(
      workloads[0].models.end(),
      {"py-sequential", "py-threads", "py-executor", "py-asyncio", "find", "fdfind", "wrk"});
  workloads[0].counterparts = {{"py-sequential", "sequential"},
                               {"py-threads", "threads"},
                               {"py-executor", "executor"},
                               {"py-asyncio", "coroutines"}};
  const auto colours = colours_of(order, workloads);
  std::set<std::string> distinct;
  for (const auto& [name, colour] : colours) distinct.insert(colour);
  EXPECT_EQ(distinct.size(), colours.size());
  workloads[1].models = {"fibers"};
  EXPECT_EQ(colours_of(order, {workloads[1]}).at("fibers"), colours.at("fibers"));
  EXPECT_EQ(colours.at("coroutines"), "#499894");
  EXPECT_EQ(colours.at("py-asyncio"), "#86bcb6");  // coroutines' light shade
}

// The first seven models of the order keep the colours every report has had, whichever models
// those are; a Python cell takes the light shade of the model its label names.
TEST(report_plot, the_first_seven_places_keep_their_colours) {
  const std::vector<std::string> order{"m0", "m1", "m2", "m3", "m4", "m5", "m6"};
  std::vector<workload_cells> workloads(1);
  workloads[0].models = order;
  workloads[0].models.push_back("py-m6");
  workloads[0].counterparts = {{"py-m6", "m6"}};
  const auto colours = colours_of(order, workloads);
  const std::vector<std::string> expected{"#4e79a7", "#f28e2b", "#e15759", "#499894",
                                          "#59a14f", "#edc948", "#b07aa1"};
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(colours.at(order[i]), expected[i]);
  EXPECT_EQ(colours.at("py-m6"), "#d4a6c8");
}

// A matrix of nine models (its order in the file's context) still gets a colour per model, and
// each model's Python cell a shade of its own: the palette grows with the list.
TEST(report_plot, nine_models_from_the_model_order_get_nine_colours) {
  nlohmann::json benchmarks = nlohmann::json::array();
  std::vector<std::string> order;
  for (int i = 0; i < 9; ++i) order.push_back(fmt::format("model{}", i));
  long long family = 0;
  const auto add = [&](const std::string& model, const std::string& counterpart) {
    const auto label = vocabulary::make_label(
        {.oracle = "sequential", .settings = "s", .counterpart = counterpart});
    benchmarks.push_back({{"name", "w/" + model + "/c/real_time"},
                          {"run_type", "iteration"},
                          {"family_index", family++},
                          {"real_time", 1.0},
                          {"time_unit", "ms"},
                          {"label", label}});
  };
  for (const auto& m : order) add(m, "");
  add("py-model8", "model8");
  const nlohmann::json doc{
      {"context",
       {{std::string(vocabulary::context::model_order), fmt::format("{}", fmt::join(order, ","))}}},
      {"benchmarks", benchmarks}};
  const auto r = parse(doc);
  EXPECT_EQ(r.model_order, order);
  const auto colours = colours_of(r.model_order, by_workload(r));
  ASSERT_EQ(colours.size(), 10u);
  std::set<std::string> distinct;
  for (const auto& [name, colour] : colours) distinct.insert(colour);
  EXPECT_EQ(distinct.size(), 10u);
  EXPECT_EQ(colours.at("model3"), "#499894");
  EXPECT_NE(colours.at("py-model8"), colours.at("model8"));
}

TEST(report_plot, scripts_write_png_and_svg_with_log_axes_where_the_range_needs_them) {
  const auto r = sweep();
  const auto w = by_workload(r)[0];
  const auto fs = figures_of(w);
  const auto colours = colours_of(concur::models::names(), by_workload(r));
  const auto bars = gnuplot_script(w, fs[0], colours, "/out/it's");
  EXPECT_NE(bars.find("set output '/out/it''s/fetch.png'"), std::string::npos) << bars;
  EXPECT_NE(bars.find("set output '/out/it''s/fetch.svg'"), std::string::npos) << bars;
  EXPECT_NE(bars.find("set logscale y"), std::string::npos);  // 10 ms to 2.2 s
  EXPECT_NE(bars.find("'it''s big'"), std::string::npos);     // the case's tic
  EXPECT_NE(bars.find("set label 'skipped'"), std::string::npos);
  EXPECT_NE(bars.find("wall time (s, log scale)"), std::string::npos);
  const auto ladder = gnuplot_script(w, *find(fs, "fetch-urls-at-c-64"), colours, "/out");
  EXPECT_NE(ladder.find("set logscale xy"), std::string::npos);
  EXPECT_NE(ladder.find("filledcurves"), std::string::npos);  // the CI band
  EXPECT_NE(ladder.find("'10k' 10000"), std::string::npos);
  EXPECT_NE(ladder.find("set xlabel 'URLs at C = 64 (log scale)'"), std::string::npos);

  // Within a decade: a linear axis from zero.
  const auto narrow = make({{"w", "threads", "a", {1.0}}, {"w", "threads", "b", {3.0}}});
  const auto nw = by_workload(narrow)[0];
  const auto linear =
      gnuplot_script(nw, figures_of(nw)[0], colours_of(concur::models::names(), {nw}), "/out");
  EXPECT_EQ(linear.find("set logscale"), std::string::npos);
  EXPECT_NE(linear.find("set yrange [0:3.3]"), std::string::npos) << linear;
}

TEST(report_plot, report_md_links_each_plot_to_its_svg) {
  const auto md = to_markdown(sweep(), "plots");
  EXPECT_NE(md.find("(plots/fetch-urls-at-c-64.png)](plots/fetch-urls-at-c-64.svg)"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("(plots/fetch.png)](plots/fetch.svg)"), std::string::npos);
  EXPECT_EQ(to_markdown(sweep()).find(".png"), std::string::npos);
}

TEST(report_plot, gnuplot_writes_every_png_and_svg) {
  if (!process::find_program("gnuplot")) GTEST_SKIP() << "gnuplot is not installed";
  testing::temp_dir dir("concur-plot");
  const auto written = write_all(sweep(), dir.path().string());
  for (const char* stem : {"fetch", "fetch-urls-at-c-64", "fetch-urls-at-c-64-memory",
                           "fetch-connections-at-n-1000", "sleep"}) {
    for (const char* ext : {".png", ".svg"}) {
      const auto path = dir.path() / "plots" / (std::string(stem) + ext);
      ASSERT_TRUE(std::filesystem::exists(path)) << path;
      EXPECT_GT(std::filesystem::file_size(path), 1000u) << path;
      EXPECT_NE(std::find(written.begin(), written.end(), path.string()), written.end()) << path;
    }
  }
}

// A gnuplot that fails (here a stand-in on PATH that says so) fails the command with its words,
// and report.md is still written, without plots.
TEST(report_plot, a_failing_gnuplot_is_an_error_after_report_md_is_written) {
  testing::temp_dir dir("concur-plot");
  const auto bin = dir.path() / "bin";
  std::filesystem::create_directories(bin);
  std::ofstream(bin / "gnuplot") << "#!/bin/sh\necho 'no fonts here' >&2\nexit 1\n";
  std::filesystem::permissions(bin / "gnuplot", std::filesystem::perms::owner_all);
  const auto r =
      testing::run_command("PATH=" + bin.string() + ":$PATH " + CONCUR_CLI + " report " +
                           CONCUR_TEST_DATA + "/sample_results.json --out " + dir.path().string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no fonts here"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("written without plots"), std::string::npos) << r.output;
  ASSERT_TRUE(std::filesystem::exists(dir.path() / "report.md"));
  std::ifstream md(dir.path() / "report.md");
  const std::string text((std::istreambuf_iterator<char>(md)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(".png"), std::string::npos);
}

}  // namespace
}  // namespace concur::report::detail
