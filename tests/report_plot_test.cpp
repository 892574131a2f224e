// The report's plots: which figures a workload gets (bars for categorical cases, a time and a
// memory plot per size ladder), their numbers (medians with 95 % intervals), their gnuplot
// scripts, the links in report.md, and, where gnuplot is installed, the PNG and SVG files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

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
  std::string verdict = "skipped";  // an untimed cell's
  std::string counterpart = "";     // a Python cell's
};

results make(const std::vector<cell>& cells) {
  results r;
  for (const auto& c : cells) {
    row x{.workload = c.workload, .model = c.model, .case_name = c.case_name};
    x.counterpart = c.counterpart;
    x.ladder = c.ladder;  // an untimed cell's too, as concur-bench labels it
    if (!c.ladder.empty()) x.ladder_size = c.size;
    if (c.times.empty()) {
      x.verdict = c.verdict;
      x.detail = "ideal time exceeds the budget";
      r.rows.push_back(x);
      continue;
    }
    x.verdict = "pass";
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
  const auto looks = styles_of(concur::models::names(), by_workload(sweep()));
  EXPECT_EQ(looks.size(), 3u);  // threads, coroutines, tbb
  EXPECT_NE(looks.at("threads").colour, looks.at("coroutines").colour);
  EXPECT_NE(looks.at("tbb").colour, looks.at("coroutines").colour);
  const auto r = sweep();
  const auto w = by_workload(r)[0];
  for (const auto& f : figures_of(w)) {
    const auto script = gnuplot_script(w, f, looks, "/out");
    EXPECT_NE(script.find(looks.at("threads").colour), std::string::npos) << f.stem;
  }
}

// What a reader without colour still tells apart: the point, the dash and the fill.
std::tuple<int, int, int> grey(const series_style& s) {
  return {s.point, s.dash, s.pattern};
}

// Every model, the four Python cells and four programs in one report: styles that differ in colour
// and, for a reader without colour, in point, dash or fill; a model's the same whichever others
// ran, its Python cell in its colour but hollow and dashed.
TEST(report_plot, every_series_has_a_style_of_its_own_even_in_greyscale) {
  const auto order = concur::models::names();
  const std::size_t models = order.size();
  ASSERT_GE(models, 7u);
  std::vector<workload_cells> workloads(2);
  workloads[0].models = order;
  workloads[0].models.insert(workloads[0].models.end(),
                             {"py-sequential", "py-threads", "py-executor", "py-asyncio", "find",
                              "fdfind", "wrk", "nginx"});
  workloads[0].counterparts = {{"py-sequential", "sequential"},
                               {"py-threads", "threads"},
                               {"py-executor", "executor"},
                               {"py-asyncio", "coroutines"}};
  const auto looks = styles_of(order, workloads);
  ASSERT_EQ(looks.size(), models + 8);  // the models, four Python cells and four programs
  std::set<series_style> distinct;
  std::set<std::tuple<int, int, int>> greys;
  for (const auto& [name, look] : looks) {
    distinct.insert(look);
    greys.insert(grey(look));
    EXPECT_NE(look.point, 2) << name;  // × marks a rung that was not timed
  }
  EXPECT_EQ(distinct.size(), models + 8);
  EXPECT_EQ(greys.size(), models + 8);
  // Colours: one per model, one per program, none shared between the two.
  std::set<std::string> colours;
  for (const auto& m : order) colours.insert(looks.at(m).colour);
  for (const char* p : {"find", "fdfind", "wrk", "nginx"}) colours.insert(looks.at(p).colour);
  EXPECT_EQ(colours.size(), models + 4);
  // The two that looked alike (teal and green) differ in colour and in point.
  EXPECT_NE(looks.at("coroutines").colour, looks.at("coroutines_mt").colour);
  EXPECT_NE(looks.at("coroutines").point, looks.at("coroutines_mt").point);
  // A Python cell: its counterpart's colour, the hollow form of its point, dashed and hatched.
  const auto& py = looks.at("py-asyncio");
  const auto& cpp = looks.at("coroutines");
  EXPECT_EQ(py.colour, cpp.colour);
  EXPECT_EQ(py.point, hollow_point(cpp.point));
  EXPECT_NE(py.point, cpp.point);
  EXPECT_NE(py.dash, cpp.dash);
  EXPECT_NE(py.pattern, cpp.pattern);
  // Programs: dotted and cross-hatched, unlike any model or Python cell.
  EXPECT_NE(looks.at("wrk").dash, cpp.dash);
  EXPECT_NE(looks.at("wrk").dash, py.dash);
  EXPECT_NE(looks.at("wrk").pattern, py.pattern);

  workloads[1].models = {"tbb"};
  EXPECT_EQ(styles_of(order, {workloads[1]}).at("tbb"), looks.at("tbb"));
}

// A model's look comes from its place in the order, whichever models those are: Okabe and Ito's
// colour-blind-safe colours; a Python cell takes the colour of the model its label names.
TEST(report_plot, places_in_the_order_take_the_okabe_ito_colours) {
  const std::vector<std::string> order{"m0", "m1", "m2", "m3", "m4", "m5", "m6"};
  std::vector<workload_cells> workloads(1);
  workloads[0].models = order;
  workloads[0].models.push_back("py-m6");
  workloads[0].counterparts = {{"py-m6", "m6"}};
  const auto looks = styles_of(order, workloads);
  const std::vector<std::string> expected{"#000000", "#e69f00", "#56b4e9", "#009e73",
                                          "#0072b2", "#d55e00", "#cc79a7"};
  std::set<int> points;
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(looks.at(order[i]).colour, expected[i]);
    points.insert(looks.at(order[i]).point);
  }
  EXPECT_EQ(points.size(), 7u);
  EXPECT_EQ(looks.at("py-m6").colour, "#cc79a7");
}

// A matrix of nine models (its order in the file's context) still gets a style per model, and
// each model's Python cell one of its own: the colours grow with the list.
TEST(report_plot, nine_models_from_the_model_order_get_nine_styles) {
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
  const auto looks = styles_of(r.model_order, by_workload(r));
  ASSERT_EQ(looks.size(), 10u);
  std::set<series_style> distinct;
  std::set<std::string> colours;
  for (const auto& [name, look] : looks) {
    distinct.insert(look);
    if (!name.starts_with("py-")) colours.insert(look.colour);
  }
  EXPECT_EQ(distinct.size(), 10u);
  EXPECT_EQ(colours.size(), 9u);  // past the palette too
  EXPECT_EQ(looks.at("model3").colour, "#009e73");
  EXPECT_NE(looks.at("py-model8"), looks.at("model8"));
  EXPECT_EQ(looks.at("py-model8").colour, looks.at("model8").colour);
}

TEST(report_plot, scripts_write_png_and_svg_with_log_axes_where_the_range_needs_them) {
  const auto r = sweep();
  const auto w = by_workload(r)[0];
  const auto fs = figures_of(w);
  const auto looks = styles_of(concur::models::names(), by_workload(r));
  const auto bars = gnuplot_script(w, fs[0], looks, "/out/it's");
  EXPECT_NE(bars.find("set output '/out/it''s/fetch.png'"), std::string::npos) << bars;
  EXPECT_NE(bars.find("set output '/out/it''s/fetch.svg'"), std::string::npos) << bars;
  EXPECT_NE(bars.find("set logscale y"), std::string::npos);  // 10 ms to 2.2 s
  EXPECT_NE(bars.find("'it''s big'"), std::string::npos);     // the case's tic
  EXPECT_NE(bars.find("set label 'skipped'"), std::string::npos);
  EXPECT_NE(bars.find("wall time (s, log scale)"), std::string::npos);
  const auto ladder = gnuplot_script(w, *find(fs, "fetch-urls-at-c-64"), looks, "/out");
  EXPECT_NE(ladder.find("set logscale xy"), std::string::npos);
  EXPECT_NE(ladder.find("filledcurves"), std::string::npos);  // the CI band
  EXPECT_NE(ladder.find("'10k' 10000"), std::string::npos);
  EXPECT_NE(ladder.find("set xlabel 'URLs at C = 64 (log scale)'"), std::string::npos);

  // Within a decade: a linear axis from zero.
  const auto narrow = make({{"w", "threads", "a", {1.0}}, {"w", "threads", "b", {3.0}}});
  const auto nw = by_workload(narrow)[0];
  const auto linear =
      gnuplot_script(nw, figures_of(nw)[0], styles_of(concur::models::names(), {nw}), "/out");
  EXPECT_EQ(linear.find("set logscale"), std::string::npos);
  EXPECT_NE(linear.find("set yrange [0:3.3]"), std::string::npos) << linear;
}

// sleep as a sweep runs it: threads refused at 1,000 tasks, sequential skipped past 10, every
// model skipped at 10,000 and 100,000 (their labels still name the rung), a Python cell skipped
// throughout, a categorical case no model completed and one coroutines did.
results stops() {
  const std::string tasks = "tasks";
  return make({
      {"sleep", "sequential", "n10", {1.0, 1.0}, tasks, 10},
      {"sleep", "sequential", "n100", {}, tasks, 100},
      {"sleep", "sequential", "n1000", {}, tasks, 1'000},
      {"sleep", "threads", "n10", {0.10, 0.11}, tasks, 10},
      {"sleep", "threads", "n100", {0.12, 0.13}, tasks, 100},
      {"sleep", "threads", "n1000", {}, tasks, 1'000, 0, "refused"},
      {"sleep", "coroutines", "n10", {0.10, 0.10}, tasks, 10},
      {"sleep", "coroutines", "n100", {0.10, 0.10}, tasks, 100},
      {"sleep", "coroutines", "n1000", {0.11, 0.11}, tasks, 1'000},
      {"sleep", "coroutines", "n10000", {}, tasks, 10'000},
      {"sleep", "coroutines", "n100000", {}, tasks, 100'000},
      {"sleep", "py-threads", "n10", {}, tasks, 10, 0, "skipped", "threads"},
      {"sleep", "py-threads", "n100", {}, tasks, 100, 0, "skipped", "threads"},
      {"sleep", "threads", "cold", {}, "", 0, 0, "refused"},
      {"sleep", "coroutines", "cold", {}},
      {"sleep", "coroutines", "warm", {0.2}},
  });
}

TEST(report_plot, a_line_that_stops_is_marked_with_the_verdict_at_the_rung) {
  const auto r = stops();
  const auto w = by_workload(r)[0];
  const auto fs = figures_of(w);
  const figure* tasks = find(fs, "sleep-tasks");
  ASSERT_NE(tasks, nullptr);
  // One rung past the last timed one, where the lines stop; 100,000 would only squeeze them.
  EXPECT_EQ(tasks->cases, (std::vector<std::string>{"n10", "n100", "n1000", "n10000"}));
  const auto d = data_of(w, *tasks);
  const auto marks = stop_marks(w, *tasks, d);
  ASSERT_EQ(marks.size(), 3u);
  std::map<std::string, stop_mark> by_model;
  for (const auto& m : marks) by_model[m.model] = m;
  EXPECT_EQ(by_model["threads"].verdict, "refused");
  EXPECT_EQ(by_model["threads"].size, 1'000);
  EXPECT_DOUBLE_EQ(by_model["threads"].value, 0.125);  // the line's last value
  EXPECT_EQ(by_model["sequential"].verdict, "skipped");
  EXPECT_EQ(by_model["sequential"].size, 100);  // only where the line stops, not every rung
  EXPECT_EQ(by_model["coroutines"].size, 10'000);

  const auto looks = styles_of(concur::models::names(), by_workload(r));
  const auto script = gnuplot_script(w, *tasks, looks, "/out");
  EXPECT_NE(script.find("$stop0 << EOD\n"), std::string::npos) << script;
  EXPECT_NE(script.find(fmt::format("with points pt 2 ps 2 lw 2.5 lc rgb '{}'",
                                    looks.at("threads").colour)),
            std::string::npos)
      << script;
  EXPECT_NE(script.find("set label 'refused' at 1000,0.125"), std::string::npos) << script;
  EXPECT_NE(script.find("set label 'skipped' at 100,1"), std::string::npos) << script;
  EXPECT_NE(script.find("title 'rung not timed (verdict beside)'"), std::string::npos);
  // The Python cell has no point: the key says why.
  EXPECT_NE(script.find("title 'py-threads (skipped)'"), std::string::npos) << script;
  // The lines: each series its own dash and point.
  EXPECT_NE(script.find(fmt::format("dt 1 pt {} ps", looks.at("threads").point)),
            std::string::npos);
}

// A model that ran the rungs but grew by 0 B has no point on the memory plot: that is no verdict.
TEST(report_plot, a_model_without_growth_is_not_called_untimed) {
  const auto r = make({{"w", "threads", "a", {0.1}, "n", 10, 1024},
                       {"w", "threads", "b", {0.2}, "n", 100, 2048},
                       {"w", "coroutines", "a", {0.1}, "n", 10, 0},
                       {"w", "coroutines", "b", {}, "n", 100},
                       {"w", "tbb", "a", {}, "n", 10}});
  const auto w = by_workload(r)[0];
  const auto fs = figures_of(w);
  const figure* memory = find(fs, "w-n-memory");
  ASSERT_NE(memory, nullptr);
  const auto untimed = untimed_models(w, *memory, data_of(w, *memory));
  EXPECT_EQ(untimed, (std::vector<std::pair<std::string, std::string>>{{"tbb", "skipped"}}));
}

TEST(report_plot, a_ladder_without_a_stop_has_no_marks) {
  const auto r = sweep();
  const auto w = by_workload(r)[1];  // sleep: one rung, a bar chart
  const auto fs = figures_of(w);
  const auto script = gnuplot_script(w, fs[0], styles_of(concur::models::names(), {w}), "/out");
  EXPECT_EQ(script.find("$stop"), std::string::npos);
  EXPECT_EQ(script.find("not timed"), std::string::npos);
}

// The summary counts every case a model has a cell for, completed or not: the plots show each,
// on a line or in the bars, a case no model completed with its verdicts in the bars' places.
TEST(report_plot, bar_charts_show_every_case_off_the_lines_timed_or_not) {
  const auto r = stops();
  const auto w = by_workload(r)[0];
  const auto fs = figures_of(w);
  ASSERT_EQ(fs[0].kind, figure_kind::cases);
  EXPECT_EQ(fs[0].cases, (std::vector<std::string>{"cold", "warm"}));
  std::set<std::string> shown;
  for (const auto& f : fs) shown.insert(f.cases.begin(), f.cases.end());
  for (const auto& c : w.cases) {
    if (c == "n100000") continue;  // past the line's end
    EXPECT_TRUE(shown.contains(c)) << c;
  }

  const auto bars = gnuplot_script(w, fs[0], styles_of(concur::models::names(), {w}), "/out");
  // coroutines' cold case: its verdict in its bar's place; threads, timed in no case of the
  // bars, in the legend with its verdict.
  EXPECT_NE(bars.find("set label 'skipped' at"), std::string::npos) << bars;
  EXPECT_NE(bars.find("set label 'threads (refused)' at screen"), std::string::npos) << bars;

  // Bars of verdicts alone, with no time among them, would show no number: none drawn.
  const auto untimed = make({{"w", "threads", "a", {0.1, 0.2}, "n", 10},
                             {"w", "threads", "b", {0.2, 0.3}, "n", 100},
                             {"w", "threads", "cold", {}}});
  EXPECT_EQ(stems(figures_of(by_workload(untimed)[0])), (std::vector<std::string>{"w-n"}));

  // The sweep's bars: the case threads skipped is there, with its verdict.
  const auto s = sweep();
  const auto fetch = by_workload(s)[0];
  const auto fetch_bars = figures_of(fetch)[0];
  EXPECT_EQ(fetch_bars.cases, (std::vector<std::string>{"small", "it's big"}));
}

// Bars: a legend of their own (gnuplot's key cannot draw a fill and a point in one sample), a
// swatch per series like its bar, and a Python cell without a time in it with its verdict.
TEST(report_plot, bars_carry_their_series_point_and_fill) {
  const auto r = make({{"w", "threads", "a", {1.0}},
                       {"w", "py-threads", "a", {2.0}, "", 0, 0, "", "threads"},
                       {"w", "wrk", "a", {0.5}},
                       {"w", "py-asyncio", "a", {}, "", 0, 0, "skipped", "coroutines"}});
  const auto w = by_workload(r)[0];
  const auto looks = styles_of(concur::models::names(), {w});
  const auto script = gnuplot_script(w, figures_of(w)[0], looks, "/out");
  EXPECT_NE(script.find("unset key"), std::string::npos);
  EXPECT_NE(script.find("fs solid 0.9"), std::string::npos) << script;
  EXPECT_NE(script.find(fmt::format("fs pattern {}", looks.at("py-threads").pattern)),
            std::string::npos);
  EXPECT_NE(script.find(fmt::format("fs pattern {}", looks.at("wrk").pattern)), std::string::npos);
  EXPECT_NE(script.find(fmt::format("point pt {}", looks.at("threads").point)), std::string::npos);
  EXPECT_NE(script.find("set label 'py-asyncio (skipped)' at screen"), std::string::npos) << script;
}

TEST(report_plot, gnuplot_draws_stops_and_untimed_cases) {
  if (!process::find_program("gnuplot")) GTEST_SKIP() << "gnuplot is not installed";
  testing::temp_dir dir("concur-plot");
  const auto r = stops();
  const auto written = plot_all(concur::models::names(), by_workload(r), dir.path());
  EXPECT_EQ(written.size(), 4u);  // bars and time (no bytes per item), each a PNG and an SVG
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
