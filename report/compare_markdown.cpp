// compare.md (and `concur compare`'s standard output): warnings first, the table, the counts.
#include <fmt/format.h>

#include "report/compare.hpp"
#include "report/report_summary.hpp"

namespace concur::compare {
namespace {

std::string table_row(const std::vector<std::string>& cells) {
  std::string line = "|";
  // Appended piece by piece: GCC 12 at -O2 warns falsely (-Wrestrict, its bug 105329) on
  // "literal" + std::string&&.
  for (const auto& x : cells) {
    line += ' ';
    line += report::detail::md_escape(x);
    line += " |";
  }
  return line + "\n";
}

std::string files(const comparison& c) {
  std::string out = fmt::format("Base: **{}** (`{}`); against it:", c.labels[0], c.paths[0]);
  for (std::size_t f = 1; f < c.labels.size(); ++f)
    out += fmt::format("{} **{}** (`{}`)", f == 1 ? "" : ",", c.labels[f], c.paths[f]);
  return out + ".\n";
}

}  // namespace

std::string to_markdown(const comparison& c) {
  std::string out;
  // First, so that a reader (or a CI log) sees it before any verdict.
  for (const auto& w : c.warnings) out += fmt::format("**{}**\n\n", report::detail::md_escape(w));
  out += "# concur compare\n\n" + files(c) + "\n";
  out += fmt::format(
      "ratio: new / base of the median real time, with its 95 % bootstrap CI; p: two-sided "
      "Mann-Whitney U test on the repetitions; a change is resolved when p < {:g} and the CI "
      "excludes 1.\n\n",
      c.alpha);
  const auto t = to_table(c);
  out += table_row(t.header);
  out += table_row(std::vector<std::string>(t.header.size(), "---"));
  for (const auto& row : t.rows) out += table_row(row);
  out += "\n";
  for (std::size_t f = 1; f < c.labels.size(); ++f) out += summary_line(c, f) + "\n";
  out += gate_line(c) + "\n";
  return out;
}

}  // namespace concur::compare
