// The words of `concur compare`: the one table both writers print, the summary and gate lines.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/compare.hpp"

namespace concur::compare {
namespace {

// Four significant digits without an exponent: medians span microseconds to seconds and a
// column of "1.085e-05" reads badly.
std::string seconds(double s) {
  if (s <= 0) return fmt::format("{}", s);
  const int decimals = std::clamp(3 - static_cast<int>(std::floor(std::log10(s))), 0, 12);
  return fmt::format("{:.{}f}", s, decimals);
}

std::string percent(double fraction) {
  return fmt::format("{:g} %", fraction * 100);
}

std::string plural(std::size_t n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// A reason or diff can be long and span lines: its first line, shortened.
std::string first_line(const std::string& text) {
  constexpr std::size_t limit = 100;
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > limit) line = line.substr(0, limit) + "...";
  return line;
}

std::string median_text(const side& s) {
  if (!s.present) return "";
  if (s.timed()) return seconds(*s.median);
  return s.verdict;  // FAIL, skipped, ...: what the cell came to instead of a time
}

std::string count_text(const side& s) {
  return s.present ? fmt::format("{}", s.times.size()) : "";
}

// What kept a side from being timed: "FAIL in LABEL: values[3]: ...".
std::string not_timed_text(const std::string& where, const side& s) {
  if (s.passed()) return "no timings in " + where;
  std::string text = fmt::format("{} in {}", s.verdict, where);
  if (!s.detail.empty()) text += ": " + first_line(s.detail);
  return text;
}

// The verdicts of a cell that was not compared, said once when both files agree.
std::string not_timed_note(const comparison& c, const cell& x, std::size_t f) {
  const side &base = x.sides[0], &other = x.sides[f];
  if (!base.timed() && !other.timed() && base.verdict == other.verdict &&
      base.detail == other.detail)
    return not_timed_text("both", base);
  std::string out;
  if (!base.timed()) out = not_timed_text(c.labels[0], base);
  if (!other.timed()) out += (out.empty() ? "" : "; ") + not_timed_text(c.labels[f], other);
  return out;
}

std::string verdict_text(const comparison& c, const column& col, std::size_t f) {
  switch (col.what) {
    case state::compared:
      return stats::to_string(col.change->outcome);
    case state::only_in_base:
      return "only in " + c.labels[0];
    case state::only_in_new:
      return "only in " + c.labels[f];
    case state::not_timed:
      return "not compared";
    case state::in_neither:
      break;
  }
  return "";
}

std::string compared_note(const comparison& c, const cell& x, const column& col, std::size_t f) {
  std::vector<std::string> notes;
  const auto& ch = *col.change;
  if (col.regression) notes.push_back("slower by more than " + percent(c.threshold));
  if (ch.outcome == stats::verdict::faster && ch.beyond_threshold)
    notes.push_back("faster by more than " + percent(c.threshold));
  if (col.too_few)
    notes.push_back(fmt::format(
        "too few runs to resolve any change: {} vs {}, the smallest possible p is {:.2g}",
        x.sides[0].times.size(), x.sides[f].times.size(), col.smallest_p));
  else if (ch.new_over_base.ci.below_level)
    notes.push_back("CI from 5 runs or fewer: its coverage is approximate");
  std::string out;
  for (const auto& n : notes) out += (out.empty() ? "" : "; ") + n;
  return out;
}

std::string note_text(const comparison& c, const cell& x, const column& col, std::size_t f) {
  if (col.what == state::compared) return compared_note(c, x, col, f);
  if (col.what == state::not_timed) return not_timed_note(c, x, f);
  return "";
}

void add_comparison(std::vector<std::string>& row, const comparison& c, const cell& x,
                    std::size_t f) {
  const auto& col = x.columns[f - 1];
  row.push_back(median_text(x.sides[f]));
  row.push_back(count_text(x.sides[f]));
  if (col.change) {
    const auto& r = col.change->new_over_base;
    row.push_back(fmt::format("{:.3f}", r.estimate));
    row.push_back(fmt::format("[{:.3f}, {:.3f}]", r.ci.lo, r.ci.hi));
    row.push_back(fmt::format("{:.3g}", col.change->test.p));
  } else {
    row.insert(row.end(), 3, "");
  }
  row.push_back(verdict_text(c, col, f));
  row.push_back(note_text(c, x, col, f));
}

}  // namespace

table to_table(const comparison& c) {
  table t;
  t.header = {"workload", "model", "case", c.labels[0] + " median (s)", c.labels[0] + " n"};
  for (std::size_t f = 1; f < c.labels.size(); ++f)
    for (const char* name : {"median (s)", "n", "ratio", "95 % CI", "p", "verdict", "note"})
      t.header.push_back(fmt::format("{} {}", c.labels[f], name));
  for (const auto& x : c.cells) {
    std::vector<std::string> row = {x.workload, x.model, x.case_name, median_text(x.sides[0]),
                                    count_text(x.sides[0])};
    for (std::size_t f = 1; f < c.labels.size(); ++f) add_comparison(row, c, x, f);
    t.rows.push_back(std::move(row));
  }
  return t;
}

std::string summary_line(const comparison& c, std::size_t i) {
  const auto& t = c.totals.at(i - 1);
  std::string line = fmt::format(
      "{} vs {}: {} compared, {} slower, {} faster, {} no change resolved, {} only in one file, "
      "{} failed, skipped or without a usable time in either",
      c.labels[i], c.labels[0], plural(t.compared, "cell"), t.slower, t.faster, t.unresolved,
      t.only_in_one, t.not_timed);
  if (t.too_few)
    line +=
        fmt::format(" ({} of the unresolved with too few runs to resolve any change)", t.too_few);
  return line;
}

std::string gate_line(const comparison& c) {
  std::size_t regressions = 0, not_compared = 0;
  for (const auto& t : c.totals) {
    regressions += t.regressions;
    not_compared += t.not_timed;
  }
  const std::string gate = fmt::format("gate (--threshold {})", percent(c.threshold));
  // The gate decides on compared cells only: those it could not judge are said, not passed over.
  const std::string unjudged =
      not_compared ? fmt::format(" ({} not compared: failed, skipped or no usable time)",
                                 plural(not_compared, "cell"))
                   : "";
  if (!regressions)
    return fmt::format("{}: no cell resolved slower by more than {}{}", gate, percent(c.threshold),
                       unjudged);
  return fmt::format("{}: {} resolved slower by more than {}: exit status 1{}", gate,
                     plural(regressions, "cell"), percent(c.threshold), unjudged);
}

}  // namespace concur::compare
