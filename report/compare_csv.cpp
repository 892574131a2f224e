// compare.csv: the table of compare.md, one line per cell.
#include "report/compare.hpp"
#include "report/csv.hpp"

namespace concur::compare {
namespace {

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  // Appended piece by piece: GCC 12 at -O2 warns falsely (-Wrestrict, its bug 105329) on
  // "literal" + std::string&&.
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) line += ',';
    line += csv::field(cells[i]);
  }
  return line + "\n";
}

}  // namespace

std::string to_csv(const comparison& c) {
  const auto t = to_table(c);
  std::string out = csv_line(t.header);
  for (const auto& row : t.rows) out += csv_line(row);
  return out;
}

}  // namespace concur::compare
