// report.md's layout, read in two minutes: a contents line whose links land on headings, the
// summary first, the per-case tables in details/<workload>.md, the cells not timed one line per
// reason, every method and each model's settings said once, and a report that stays short on a
// large run.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/report.hpp"
#include "report/report_markdown.hpp"
#include "tests/support.hpp"

namespace concur::report {
namespace {

using concur::testing::temp_dir;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A cell's rows: `times_s` passed runs, one a round.
void timed(results& r, const std::string& workload, const std::string& model, const std::string& c,
           const std::vector<double>& times_s, const std::string& settings,
           std::optional<double> rung = std::nullopt) {
  for (std::size_t i = 0; i < times_s.size(); ++i)
    r.rows.push_back({.workload = workload,
                      .model = model,
                      .case_name = c,
                      .repetition = static_cast<int>(i),
                      .verdict = "pass",
                      .oracle = "sequential",
                      .settings = settings,
                      .ladder = rung ? "tasks" : "",
                      .ladder_size = rung,
                      .real_s = times_s[i],
                      .ideal_s = 0.001});
}

void not_timed(results& r, const std::string& workload, const std::string& model,
               const std::string& c, const std::string& verdict, const std::string& reason) {
  r.rows.push_back(
      {.workload = workload, .model = model, .case_name = c, .verdict = verdict, .detail = reason});
}

std::vector<double> around(double s) {
  return {s, s * 1.01, s * 0.99, s * 1.02, s * 0.98, s};
}

// Two workloads on a size ladder, each with cells over the budget and a refused one, and a
// third with a case that sets its own settings.
results two_ladders() {
  results r;
  for (const std::string w : {"sleep", "fetch"})
    for (const double n : {10.0, 100.0, 1000.0}) {
      const auto c = fmt::format("n{:g}", n);
      timed(r, w, "coroutines", c, around(n * 1e-5), "1 thread", n);
      if (n == 10)
        timed(r, w, "sequential", c, around(n * 1e-3), "one after another", n);
      else
        not_timed(r, w, "sequential", c, "skipped",
                  fmt::format("ideal time {:.1f} s exceeds the budget of 3 s (--budget)", n / 10));
      not_timed(r, w, "tbb", c, "skipped", "over the 60 s budget");
      if (n == 1000) not_timed(r, w, "threads", c, "refused", "the OS refused thread 7");
    }
  timed(r, "dirsearch", "coroutines", "tree", around(0.01), "1 thread");
  timed(r, "dirsearch", "coroutines", "tree_io16", around(0.01), "16 I/O threads");
  timed(r, "dirsearch", "coroutines", "tree_big", around(0.01), "1 thread");
  return r;
}

std::string details_of(const results& r, const std::string& workload) {
  for (const auto& d : to_details_markdown(r))
    if (d.workload == workload) return d.text;
  ADD_FAILURE() << "no details file for " << workload;
  return "";
}

// The anchor GitHub makes of a heading, written here from its rule for the ASCII headings the
// report has (lower case; letters, digits, '-' and '_' kept; a space a hyphen): not the report's
// own function, so that a wrong anchor there shows.
std::string anchor_of(const std::string& heading) {
  std::string out;
  for (const char c : heading)
    if (c == ' ')
      out += '-';
    else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> level2_headings(const std::string& md) {
  std::vector<std::string> out;
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("## ")) out.push_back(line.substr(3));
  return out;
}

TEST(report_layout, every_contents_link_lands_on_a_heading_and_every_heading_is_listed) {
  const auto md = to_markdown(two_ladders());
  const auto start = md.find("\nContents: ");
  ASSERT_NE(start, std::string::npos) << md;
  const auto line = md.substr(start + 1, md.find('\n', start + 1) - start - 1);
  std::vector<std::pair<std::string, std::string>> links;  // text, anchor
  for (auto open = line.find('['); open != std::string::npos; open = line.find('[', open + 1)) {
    const auto middle = line.find("](#", open), close = line.find(')', middle);
    ASSERT_NE(close, std::string::npos) << line;
    links.emplace_back(line.substr(open + 1, middle - open - 1),
                       line.substr(middle + 3, close - middle - 3));
  }
  const auto headings = level2_headings(md);
  ASSERT_EQ(links.size(), headings.size()) << line;
  for (std::size_t i = 0; i < links.size(); ++i) {
    EXPECT_EQ(links[i].first, headings[i]) << line;
    EXPECT_EQ(links[i].second, anchor_of(headings[i])) << line;
  }
  for (const std::string wanted :
       {"sleep", "fetch", "dirsearch", "Machine during the run", "How to read the figures",
        "Settings", "Machine calibration", "Environment"})
    EXPECT_NE(std::find(headings.begin(), headings.end(), wanted), headings.end()) << wanted;
  EXPECT_TRUE(headings.front().starts_with("Summary")) << md;
}

TEST(report_layout, a_repeated_heading_gets_githubs_numbered_anchor) {
  EXPECT_EQ(detail::contents("## A b\n\ntext\n## A b\n```\n## not a heading\n```\n"),
            "Contents: [A b](#a-b) · [A b](#a-b-1)\n\n");
  EXPECT_EQ(detail::github_anchor("Summary: which model, by how much?"),
            "summary-which-model-by-how-much");
}

TEST(report_layout, the_summary_comes_first_and_the_tables_after_it) {
  const auto md = to_markdown(two_ladders());
  const auto summary = md.find("\n## Summary");
  ASSERT_NE(summary, std::string::npos) << md;
  EXPECT_EQ(md.find("\n## "), summary) << md;
  EXPECT_LT(summary, 1000u) << "only the title and the contents line above it\n" << md;
  EXPECT_LT(summary, md.find("\n## sleep\n"));
  EXPECT_LT(md.find("\n## dirsearch\n"), md.find("\n## Machine during the run")) << md;
}

TEST(report_layout, each_workload_links_its_details_file_which_write_all_writes) {
  const auto r = two_ladders();
  temp_dir dir("concur-layout");
  const auto written = write_all(r, dir.path().string());
  const auto md = read(dir.path() / "report.md");
  for (const std::string w : {"sleep", "fetch", "dirsearch"}) {
    const auto path = dir.path() / "details" / (w + ".md");
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    EXPECT_EQ(read(path), details_of(r, w));
    EXPECT_NE(std::find(written.begin(), written.end(), path.string()), written.end()) << path;
    // The link sits in the workload's own section.
    const auto section = md.find("\n## " + w + "\n");
    const auto next = md.find("\n## ", section + 1);
    EXPECT_LT(md.find("](details/" + w + ".md)", section), next) << md;
  }
  // The per-case rows are in the details, not in report.md.
  EXPECT_NE(read(dir.path() / "details" / "sleep.md").find("| n10 | coroutines |"),
            std::string::npos);
  EXPECT_EQ(md.find("| n10 | coroutines |"), std::string::npos) << md;
}

TEST(report_layout, a_details_file_that_cannot_be_written_fails_clearly) {
  temp_dir dir("concur-layout");
  std::ofstream(dir.path() / "details") << "a file where the directory goes";
  try {
    write_all(two_ladders(), dir.path().string());
    FAIL() << "no error";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path() / "details").string()), std::string::npos)
        << e.what();
  }
}

TEST(report_layout, cells_not_timed_are_one_line_per_reason) {
  const auto sleep = details_of(two_ladders(), "sleep");
  // Three cells with the same reason: one line naming all three.
  EXPECT_EQ(count_of(sleep, "over the 60 s budget"), 1u) << sleep;
  EXPECT_NE(sleep.find("- skipped (over the 60 s budget): tbb n10, n100, n1000\n"),
            std::string::npos)
      << sleep;
  // Reasons that differ only in a number: one line, each cell with its own.
  EXPECT_NE(sleep.find("- skipped (ideal time … s exceeds the budget of 3 s (--budget)): "
                       "sequential n100 (10.0), n1000 (100.0)\n"),
            std::string::npos)
      << sleep;
  EXPECT_NE(sleep.find("- refused (the OS refused thread 7): threads n1000\n"), std::string::npos)
      << sleep;
  // No row of dashes for a cell that was not timed.
  EXPECT_EQ(sleep.find("| n100 | tbb |"), std::string::npos) << sleep;
  EXPECT_EQ(sleep.find("| n100 | sequential |"), std::string::npos) << sleep;
}

TEST(report_layout, the_method_is_said_once) {
  auto r = two_ladders();
  // A Python pair in two workloads, so that its method has two places it could repeat in.
  for (const std::string w : {"sleep", "fetch"}) {
    timed(r, w, "py-asyncio", "n10", around(1e-3), "asyncio");
    r.rows.back().external = true;
    for (auto& x : r.rows)
      if (x.model == "py-asyncio") x.counterpart = "coroutines";
  }
  const auto md = to_markdown(r);
  for (const std::string method :
       {"Every timed cell was verified against its oracle", "Each ladder's cases are its rungs",
        "Each C++ model beside the Python function"}) {
    EXPECT_EQ(count_of(md, method), 1u) << method << "\n" << md;
    for (const auto& d : to_details_markdown(r))
      EXPECT_EQ(d.text.find(method), std::string::npos) << d.path << ": " << method;
  }
  EXPECT_NE(details_of(r, "fetch").find("| n10 | coroutines | py-asyncio |"), std::string::npos)
      << details_of(r, "fetch");
}

TEST(report_layout, each_models_settings_are_said_once) {
  const auto md = to_markdown(two_ladders());
  EXPECT_EQ(count_of(md, "1 thread"), 1u) << md;
  EXPECT_NE(md.find("- **coroutines**: 1 thread\n  - in dirsearch tree_io16: 16 I/O threads\n"),
            std::string::npos)
      << md;
  EXPECT_EQ(count_of(md, "## Settings"), 1u) << md;
  for (const auto& d : to_details_markdown(two_ladders()))
    EXPECT_EQ(d.text.find("1 thread"), std::string::npos) << d.text;
}

TEST(report_layout, report_md_links_the_whole_process_report_when_it_is_there) {
  const auto r = two_ladders();
  temp_dir dir("concur-layout");
  write_all(r, dir.path().string());
  EXPECT_EQ(read(dir.path() / "report.md").find("whole-process"), std::string::npos);
  std::filesystem::create_directories(dir.path() / "whole-process");
  std::ofstream(dir.path() / whole_process_report) << "# whole processes\n";
  write_all(r, dir.path().string());
  const auto md = read(dir.path() / "report.md");
  const auto link = md.find("](whole-process/report.md)");
  ASSERT_NE(link, std::string::npos) << md;
  // In the summary: before the first workload's section.
  EXPECT_GT(link, md.find("\n## Summary"));
  EXPECT_LT(link, md.find("\n## sleep\n")) << md;
}

// Nine workloads of ten cases, eleven models, half the cells skipped: what the reference run is
// like, larger. The old layout gave every cell a row (about 200 KB here).
TEST(report_layout, a_large_run_gives_a_short_report) {
  results r;
  for (int w = 0; w < 9; ++w)
    for (int c = 0; c < 10; ++c)
      for (int m = 0; m < 11; ++m) {
        const auto workload = fmt::format("workload{}", w), model = fmt::format("model{}", m),
                   case_name = fmt::format("case{}", c);
        if (m % 2)
          not_timed(r, workload, model, case_name, "skipped",
                    "the course's Python runs with --python (scripts/bench --python)");
        else
          timed(r, workload, model, case_name, around(0.001 * (m + 1)),
                fmt::format("settings of {}", model), 10.0 * (c + 1));
      }
  const auto md = to_markdown(r, "plots");
  EXPECT_LE(md.size(), 100'000u);
  std::size_t details = 0;
  for (const auto& d : to_details_markdown(r)) details += d.text.size();
  EXPECT_GT(details, 100'000u) << "the per-case tables are all still written, in details/";
}

// The committed reference run, when it is there: report.md within 100 KB, its summary within 12.
TEST(report_layout, the_reference_run_gives_a_short_report_and_summary) {
  const auto json = std::filesystem::path(CONCUR_TEST_DATA) / ".." / ".." / "reports" /
                    "reference" / "results.json";
  if (!std::filesystem::exists(json)) GTEST_SKIP() << json << " is not there";
  const auto md = to_markdown(load(json.string()), "plots");
  EXPECT_LE(md.size(), 100'000u);
  const auto summary = md.find("\n## Summary");
  ASSERT_NE(summary, std::string::npos);
  const auto next = md.find("\n## ", summary + 1);
  EXPECT_LE(next - summary, 12'000u) << md.substr(summary, next - summary);
  RecordProperty("report_md_bytes", static_cast<int>(md.size()));
  RecordProperty("summary_bytes", static_cast<int>(next - summary));
}

}  // namespace
}  // namespace concur::report
