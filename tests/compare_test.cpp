// concur compare on fixture runs with known outcomes (tests/data/compare/): the same machine twice,
// one model 10 % slower, cells missing, a failed cell, another (busy) machine, three repetitions a
// side; the library (report/compare) and the command end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "report/compare.hpp"
#include "tests/support.hpp"

namespace concur {
namespace {

std::string fixture(const std::string& name) {
  return std::string(CONCUR_TEST_DATA) + "/compare/" + name;
}

compare::input load(const std::string& name) {
  return {fixture(name), report::load(fixture(name))};
}

compare::comparison compare_files(const std::vector<std::string>& names,
                                  const compare::options& o = {}) {
  std::vector<compare::input> inputs;
  for (const auto& n : names) inputs.push_back(load(n));
  return compare::build(inputs, o);
}

const compare::cell& find_cell(const compare::comparison& c, const std::string& workload,
                               const std::string& model, const std::string& case_name) {
  auto it = std::find_if(c.cells.begin(), c.cells.end(), [&](const compare::cell& x) {
    return x.workload == workload && x.model == model && x.case_name == case_name;
  });
  if (it == c.cells.end()) throw std::runtime_error("no cell " + workload + "/" + model);
  return *it;
}

const compare::column& column_of(const compare::comparison& c, const std::string& workload,
                                 const std::string& model, const std::string& case_name,
                                 std::size_t file = 1) {
  return find_cell(c, workload, model, case_name).columns.at(file - 1);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// The fixtures' cells: 2 workloads x 3 models timed, and one skipped in every file.
constexpr std::size_t timed_cells = 6;

TEST(compare, the_same_machine_twice_resolves_no_change) {
  const auto c = compare_files({"base.json", "rerun.json"});
  ASSERT_EQ(c.totals.size(), 1u);
  const auto& t = c.totals[0];
  EXPECT_EQ(t.compared, timed_cells);
  EXPECT_EQ(t.unresolved, timed_cells);
  EXPECT_EQ(t.slower + t.faster + t.regressions + t.too_few + t.only_in_one, 0u);
  EXPECT_EQ(t.not_timed, 1u);  // the skipped cell, listed
  EXPECT_FALSE(c.regressed());
  EXPECT_TRUE(c.warnings.empty()) << c.warnings.front();  // rerun.json says noise_busy=false
  for (const auto& x : c.cells) {
    if (x.columns[0].change) {
      EXPECT_NEAR(x.columns[0].change->new_over_base.estimate, 1.0, 0.02);
    }
  }
}

TEST(compare, a_file_against_itself_is_a_ratio_of_one) {
  const auto c = compare_files({"base.json", "base.json"});
  for (const auto& x : c.cells) {
    const auto& col = x.columns[0];
    if (!col.change) continue;
    EXPECT_EQ(col.change->new_over_base.estimate, 1.0);
    EXPECT_EQ(col.change->test.p, 1.0);
    EXPECT_EQ(col.change->outcome, stats::verdict::no_change_resolved);
  }
  // Same host and date: the file name does not tell them apart either, so the labels say more.
  ASSERT_EQ(c.labels.size(), 2u);
  EXPECT_NE(c.labels[0], c.labels[1]);
}

TEST(compare, a_model_ten_percent_slower_is_resolved_on_its_cells_only) {
  const auto c = compare_files({"base.json", "coroutines_slower.json"});
  for (const auto& x : c.cells) {
    const auto& col = x.columns[0];
    if (!col.change) continue;
    const bool slowed = x.model == "coroutines";
    EXPECT_EQ(col.change->outcome,
              slowed ? stats::verdict::slower : stats::verdict::no_change_resolved)
        << x.workload << "/" << x.model;
    EXPECT_EQ(col.regression, slowed) << x.workload << "/" << x.model;
    if (slowed) {
      EXPECT_NEAR(col.change->new_over_base.estimate, 1.10, 0.02);
    }
  }
  EXPECT_EQ(c.totals[0].slower, 2u);
  EXPECT_EQ(c.totals[0].regressions, 2u);
  EXPECT_TRUE(c.regressed());
  // The resolved changes come first.
  EXPECT_EQ(c.cells[0].model, "coroutines");
  EXPECT_EQ(c.cells[1].model, "coroutines");
}

TEST(compare, a_threshold_above_the_change_passes_the_gate_but_keeps_the_verdict) {
  const auto c = compare_files({"base.json", "coroutines_slower.json"}, {.threshold = 0.20});
  EXPECT_EQ(c.totals[0].slower, 2u);
  EXPECT_EQ(c.totals[0].regressions, 0u);
  EXPECT_FALSE(c.regressed());
}

TEST(compare, cells_in_one_file_only_are_listed_with_the_file) {
  const auto c = compare_files({"base.json", "missing_cells.json"});
  EXPECT_EQ(column_of(c, "dirsearch", "threads", "tree_small").what, compare::state::only_in_base);
  EXPECT_EQ(column_of(c, "dirsearch", "tbb", "tree_small").what, compare::state::only_in_new);
  EXPECT_EQ(c.totals[0].only_in_one, 2u);
  EXPECT_EQ(c.totals[0].compared, timed_cells - 1);
  const auto csv = compare::to_csv(c);
  EXPECT_NE(csv.find("dirsearch,threads,tree_small,0.01"), std::string::npos) << csv;
  EXPECT_NE(csv.find("only in alpha 2026-01-10 09:15"), std::string::npos) << csv;
  EXPECT_NE(csv.find("only in alpha 2026-01-10 11:30"), std::string::npos) << csv;
}

TEST(compare, failed_and_skipped_cells_are_listed_with_their_verdicts) {
  const auto c = compare_files({"base.json", "failed_cell.json"});
  const auto& failed = find_cell(c, "sleep", "threads", "n100_d1ms");
  EXPECT_EQ(failed.columns[0].what, compare::state::not_timed);
  EXPECT_EQ(failed.sides[1].verdict, "FAIL");
  EXPECT_EQ(column_of(c, "sleep", "sequential", "n1000_d1ms").what, compare::state::not_timed);
  EXPECT_EQ(c.totals[0].not_timed, 2u);
  const auto md = compare::to_markdown(c);
  EXPECT_NE(md.find("FAIL in alpha 2026-01-10 12:05: values[3]: expected 0x2a, got 0x29"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("skipped in both: ideal time 1 s exceeds the budget"), std::string::npos) << md;
  // Not compared cells go after the compared ones.
  EXPECT_EQ(c.cells.back().columns[0].what, compare::state::not_timed);
}

TEST(compare, another_machine_is_labelled_from_its_context_and_its_noise_warned) {
  const auto c = compare_files({"base.json", "other_machine.json"});
  EXPECT_EQ(c.labels[0], "alpha 2026-01-10 09:15");
  EXPECT_EQ(c.labels[1], "beta 2026-01-12 17:44");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("other_machine.json"), std::string::npos) << c.warnings[0];
  EXPECT_NE(c.warnings[0].find("steal 7.5 %"), std::string::npos) << c.warnings[0];
  EXPECT_EQ(c.totals[0].slower, timed_cells);
  // The warning is the first line of the output.
  EXPECT_NE(first_line(compare::to_markdown(c)).find("warning: beta"), std::string::npos);
}

TEST(compare, three_files_give_a_column_group_each_against_the_first) {
  const auto c = compare_files({"base.json", "rerun.json", "other_machine.json"});
  ASSERT_EQ(c.totals.size(), 2u);
  EXPECT_EQ(c.totals[0].slower, 0u);
  EXPECT_EQ(c.totals[1].slower, timed_cells);
  const auto t = compare::to_table(c);
  EXPECT_EQ(t.header.size(), 5u + 2 * 7);
  EXPECT_EQ(t.header[5], "alpha 2026-01-10 10:40 median (s)");
  EXPECT_EQ(t.header[12], "beta 2026-01-12 17:44 median (s)");
  for (const auto& row : t.rows) EXPECT_EQ(row.size(), t.header.size());
  const auto md = compare::to_markdown(c);
  EXPECT_NE(md.find("alpha 2026-01-10 10:40 vs alpha 2026-01-10 09:15: 6 cells compared"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("beta 2026-01-12 17:44 vs alpha 2026-01-10 09:15: 6 cells compared, 6 slower"),
            std::string::npos)
      << md;
}

TEST(compare, three_runs_a_side_say_they_cannot_resolve_anything) {
  const auto c = compare_files({"three_reps_base.json", "three_reps_slower.json"});
  const auto& col = column_of(c, "sleep", "coroutines", "n100_d1ms");
  ASSERT_TRUE(col.change);
  EXPECT_NEAR(col.change->new_over_base.estimate, 1.10, 0.03);
  EXPECT_EQ(col.change->outcome, stats::verdict::no_change_resolved);
  EXPECT_TRUE(col.too_few);
  EXPECT_NEAR(col.smallest_p, 0.1, 1e-12);
  EXPECT_EQ(c.totals[0].too_few, timed_cells);
  EXPECT_NE(compare::to_markdown(c).find("3 vs 3, the smallest possible p is 0.1"),
            std::string::npos);
  // 8 a side can: no such note.
  EXPECT_FALSE(
      column_of(compare_files({"base.json", "rerun.json"}), "sleep", "coroutines", "n100_d1ms")
          .too_few);
}

TEST(compare, labels_given_are_used_and_must_match_the_files) {
  const auto c = compare_files({"base.json", "rerun.json"}, {.labels = {"before", "after"}});
  EXPECT_EQ(c.labels, (std::vector<std::string>{"before", "after"}));
  EXPECT_THROW(compare_files({"base.json", "rerun.json"}, {.labels = {"one"}}), compare::error);
  EXPECT_THROW(compare_files({"base.json"}), compare::error);
}

TEST(compare, a_file_without_host_or_date_is_labelled_by_its_name) {
  EXPECT_EQ(compare::label_from_context({"runs/x/results.json", {}}), "results.json");
  EXPECT_FALSE(compare::noise_warning({"old.json", {}}, "old"));  // old files: no noise keys
}

TEST(compare, markdown_and_csv_have_the_same_columns) {
  const auto c = compare_files({"base.json", "missing_cells.json"});
  const auto t = compare::to_table(c);
  const auto csv = compare::to_csv(c);
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), t.rows.size() + 1);
  EXPECT_EQ(first_line(csv).rfind("workload,model,case,alpha 2026-01-10 09:15 median (s)", 0), 0u);
  const auto md = compare::to_markdown(c);
  EXPECT_NE(md.find("| workload | model | case | alpha 2026-01-10 09:15 median (s) |"),
            std::string::npos);
  EXPECT_EQ(t.rows.size(), timed_cells + 2);  // 5 in both, one in each only, the skipped one
}

// ---- The command ----

testing::command_result concur_compare(const std::string& arguments) {
  return testing::run_command(std::string(CONCUR_CLI) + " compare " + arguments);
}

std::string fixtures(std::initializer_list<const char*> names) {
  std::string out;
  for (const char* n : names) out += " '" + fixture(n) + "'";
  return out;
}

TEST(compare_cli, identical_runs_exit_zero) {
  const auto r = concur_compare(fixtures({"base.json", "rerun.json"}));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("6 cells compared, 0 slower, 0 faster, 6 no change resolved, 0 only in "
                          "one file, 1 failed, skipped or without a usable time in either"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("no cell resolved slower by more than 5 %"), std::string::npos);
}

TEST(compare_cli, a_slower_model_fails_the_gate_unless_the_threshold_is_above_it) {
  const auto files = fixtures({"base.json", "coroutines_slower.json"});
  const auto gated = concur_compare(files);
  EXPECT_EQ(gated.exit_code, 1) << gated.output;
  EXPECT_NE(gated.output.find("2 cells resolved slower by more than 5 %: exit status 1"),
            std::string::npos)
      << gated.output;
  EXPECT_EQ(concur_compare(files + " --threshold 20").exit_code, 0);
  EXPECT_EQ(concur_compare(files + " --threshold 20%").exit_code, 0);
  EXPECT_EQ(concur_compare(files + " --threshold 8").exit_code, 1);
}

TEST(compare_cli, usage_errors_exit_two_with_a_message) {
  testing::temp_dir dir("concur_compare");
  const auto garbage = dir.path() / "garbage.json";
  std::ofstream(garbage) << "not json at all";
  const auto no_benchmarks = dir.path() / "context_only.json";
  std::ofstream(no_benchmarks) << R"({"context": {"host_name": "x"}})";
  const std::string base = fixtures({"base.json"});
  const struct {
    std::string arguments, message;
  } cases[] = {
      {base + " '" + garbage.string() + "'", "is not valid JSON"},
      {base + " '" + no_benchmarks.string() + "'", "not Google Benchmark JSON"},
      {base + " '" + (dir.path() / "absent.json").string() + "'", "cannot open"},
      {base, "need a base and at least one file"},
      {base + base + " --label one", "1 labels for 2 files"},
      {"--label one two" + base + base, "put the files first"},
      {base + base + " --threshold lots", "is not a percentage"},
      {"", "required"},
  };
  for (const auto& c : cases) {
    const auto r = concur_compare(c.arguments);
    EXPECT_EQ(r.exit_code, 2) << c.arguments << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.arguments << "\n" << r.output;
    EXPECT_EQ(r.output.find("terminate"), std::string::npos) << r.output;
  }
}

TEST(compare_cli, out_writes_markdown_and_csv_and_csv_alone_is_possible) {
  testing::temp_dir dir("concur_compare");
  const auto r = concur_compare(fixtures({"base.json", "missing_cells.json"}) + " --out '" +
                                (dir.path() / "cmp").string() + "' --csv '" +
                                (dir.path() / "alone.csv").string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const auto md = read_text(dir.path() / "cmp" / "compare.md");
  const auto csv = read_text(dir.path() / "cmp" / "compare.csv");
  EXPECT_NE(md.find("| workload | model | case |"), std::string::npos) << md;
  EXPECT_EQ(first_line(csv).rfind("workload,model,case,", 0), 0u) << csv;
  EXPECT_EQ(read_text(dir.path() / "alone.csv"), csv);
  // The table went to the files; standard output keeps the counts for a CI log.
  EXPECT_EQ(r.output.find("| workload"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 only in one file"), std::string::npos) << r.output;
}

TEST(compare_cli, several_machines_side_by_side_with_labels_and_a_warning_first) {
  const auto r = concur_compare(fixtures({"base.json", "rerun.json", "other_machine.json"}) +
                                " --label alpha-1 --label alpha-2 --label beta");
  EXPECT_EQ(r.exit_code, 1) << r.output;  // beta is 30 % slower
  EXPECT_NE(first_line(r.output).find("warning: beta ("), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| alpha-2 ratio |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("beta vs alpha-1: 6 cells compared, 6 slower"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace concur
