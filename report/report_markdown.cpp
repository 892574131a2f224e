// report.md, laid out to be read in two minutes: the title, a warning when the machine was busy, a
// contents line, then the summary (report_markdown_overview.cpp) on the first screen; per workload
// its plots, its overview and a link to its details file (report_markdown_details.cpp, where the
// per-case tables are); then the machine during the run, how to read the figures (every method
// said once), the models' settings (once for the run), the calibration and the environment
// (report_markdown_machine.cpp, report_markdown_figures.cpp, report_markdown_settings.cpp).
#include <fmt/format.h>

#include <algorithm>

#include "core/vocabulary.hpp"
#include "report/report_markdown.hpp"

namespace concur::report {
namespace detail {

std::string table_head(const std::vector<std::string>& columns, const std::string& alignments) {
  std::string md = "|";
  for (const auto& c : columns) md += fmt::format(" {} |", c);
  return md + "\n|" + alignments + "\n";
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace detail

namespace {

constexpr std::size_t max_reason = 160;  // characters of a failure's first line at the top
constexpr std::size_t max_listed = 10;   // failures listed at the top, the rest counted

using detail::human_time;
using detail::summary;
using detail::workload_cells;

// Models down, cases across: the median time (⚠ when noisy), or the verdict of a cell that has
// none.
std::string overview(const workload_cells& w) {
  std::vector<std::string> columns{"model"};
  columns.insert(columns.end(), w.cases.begin(), w.cases.end());
  std::string md = detail::table_head(columns, "---|" + detail::repeat("---:|", w.cases.size()));
  for (const auto& m : w.models) {
    md += fmt::format("| {} |", m);
    for (const auto& c : w.cases) {
      const summary* s = w.find(m, c);
      const auto t = s ? s->median_of(&row::real_s) : std::nullopt;
      md += !s ? " |"
               : fmt::format(" {}{} |", t ? human_time(*t) : s->verdict(), s->noisy() ? " ⚠" : "");
    }
    md += "\n";
  }
  return md;
}

std::string workload_section(const workload_cells& w, const std::string& plot_dir) {
  return fmt::format("## {}\n\n", w.name) + detail::plot_links(w, plot_dir) + overview(w) +
         fmt::format(
             "\nEvery case, with its intervals, the cells not timed and why, and the "
             "growth with the size: [{}]({}).\n\n",
             detail::details_path(w.name), detail::details_path(w.name));
}

// A link under the summary to the whole processes against find and fd, when they were timed.
std::string whole_process_link(const std::string& path) {
  if (path.empty()) return "";
  return fmt::format(
      "Whole processes as users run them (`concur dirsearch --print` against find and fd, "
      "scripts/whole-process): [{0}]({0}).\n\n",
      path);
}

// A cell that failed verification or ended in an error is the run's first news: at the top,
// each with the first line of its reason (the whole diff is in the workload's details file).
std::string failures_warning(const results& r) {
  using vocabulary::verdict_kind;
  std::vector<std::string> lines;
  std::vector<std::string> seen;
  for (const auto& x : r.rows) {
    const auto kind = vocabulary::parse_verdict_kind(x.verdict);
    if (kind != verdict_kind::fail && kind != verdict_kind::error) continue;
    const std::string cell = fmt::format("{}/{}/{}", x.workload, x.model, x.case_name);
    if (std::find(seen.begin(), seen.end(), cell) != seen.end()) continue;
    seen.push_back(cell);
    std::string reason = x.detail.substr(0, x.detail.find('\n'));
    if (reason.size() > max_reason) reason = reason.substr(0, max_reason) + "…";
    lines.push_back(fmt::format("> - `{}` {}: {} ([details]({}))", cell, x.verdict,
                                detail::md_escape(reason), detail::details_path(x.workload)));
  }
  if (lines.empty()) return "";
  const std::size_t shown = std::min(lines.size(), max_listed);
  std::string md = fmt::format(
      "> **{} cell{} did not pass** (failed verification or ended in an error); the summary "
      "leaves {} out.\n>\n",
      lines.size(), lines.size() == 1 ? "" : "s", lines.size() == 1 ? "it" : "them");
  for (std::size_t i = 0; i < shown; ++i) md += lines[i] + "\n";
  if (shown < lines.size()) md += fmt::format("> - and {} more\n", lines.size() - shown);
  return md + "\n";
}

// The methods a workload's details use, said here once whatever the number of workloads.
std::string methods(const results& r, const std::vector<workload_cells>& workloads) {
  std::string md = detail::methods(r);
  if (!workloads.empty()) md += detail::summary_method();
  if (std::any_of(workloads.begin(), workloads.end(), detail::has_ladder))
    md += detail::growth_method();
  if (std::any_of(workloads.begin(), workloads.end(),
                  [](const auto& w) { return !detail::against_python(w).empty(); }))
    md += detail::python_method();
  return md;
}

}  // namespace

std::string to_markdown(const results& r, const std::string& plot_dir_relative,
                        const std::string& whole_process_relative) {
  const auto workloads = detail::by_workload(r);
  std::string body =
      detail::summary_section(r, workloads) + whole_process_link(whole_process_relative);
  for (const auto& w : workloads) body += workload_section(w, plot_dir_relative);
  body += detail::machine_during_run(r) + methods(r, workloads) +
          detail::settings_section(workloads, r.model_order) + detail::calibration(r) +
          detail::environment(r);
  return "# concur benchmark report\n\n" + failures_warning(r) + detail::machine_warnings(r) +
         detail::contents(body) + detail::noise_line(r, workloads) + body;
}

std::vector<details_file> to_details_markdown(const results& r) {
  std::vector<details_file> out;
  for (const auto& w : detail::by_workload(r))
    out.push_back({w.name, detail::details_path(w.name), detail::details(w)});
  return out;
}

}  // namespace concur::report
