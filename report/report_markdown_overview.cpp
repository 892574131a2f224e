// report.md's first section, the answers: one line per workload naming the best model on the
// workload's own figure of merit (core/merit.hpp) with its value and the costs beside it, then
// the others in order (their ratios alone), or such a line per case where each case asks its own
// question; a table of every model's figure over the best's with its interval; the costs at each
// workload's headline case; the course's Python against its C++ counterparts; and a key. The rule
// in full goes to the method section (summary_method), stated once. Every figure comes from
// report_summary.hpp's standings.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/vocabulary.hpp"
#include "report/report_markdown.hpp"
#include "report/report_merit.hpp"

namespace concur::report::detail {
namespace {

// A workload as the summary answers for it: the cells ranked and how they stand.
struct answered {
  workload_cells cells;
  workload_standings standing;
};

// The ratio and its interval with three significant digits of the ratio, and up to two more
// where the ends would otherwise read alike though they differ (by more than rounding: a ratio of
// medians of exact multiples comes out a hair either side of the multiple).
int ratio_digits(double estimate) {
  return std::max(0, 2 - static_cast<int>(std::floor(std::log10(estimate))));
}

std::string ratio_and_range(const stats::ratio& r) {
  const int digits = ratio_digits(r.estimate);
  const auto text = [](double x, int d) { return fmt::format("{:.{}f}", x, d); };
  const bool differ = r.ci.hi - r.ci.lo > 1e-9 * r.estimate;
  int d = digits;
  while (d < digits + 2 && differ && text(r.ci.lo, d) == text(r.ci.hi, d)) ++d;
  return fmt::format("{}× [{}–{}]", text(r.estimate, d), text(r.ci.lo, d), text(r.ci.hi, d));
}

// "9.21× [8.93–9.60]", † when a case had too few runs for a 95 % interval, or the bare ratio of
// single runs.
std::string relative_text(const standing& s) {
  const auto& r = *s.relative;
  if (!s.has_interval()) return fmt::format("{:.3g}× (1 run: no interval)", r.estimate);
  return ratio_and_range(r) + (r.ci.below_level ? " †" : "");
}

// "9.21×", the ratio alone, as the line quotes it (the table below gives its interval); "(tie)"
// says where the interval contains 1.
std::string ratio_alone(const standing& s) {
  const std::string full = relative_text(s);
  return full.substr(0, full.find(" [")) + (s.tie() ? " (tie)" : "");
}

// "skipped 2, refused 1"
std::string verdict_counts(const standing& s) {
  std::string out;
  for (const auto& [verdict, n] : s.not_completed)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", verdict, n);
  return out;
}

// " · 4 of 6" in a table, " on 4 of 6 cases (refused 2)" in a sentence (which says what became of
// the rest), when the figure does not cover every case.
std::string coverage(const standing& s, std::size_t covered, std::size_t cases,
                     const char* lead = " · ") {
  if (covered == cases) return "";
  if (std::string_view(lead) != " on ") return fmt::format("{}{} of {}", lead, covered, cases);
  const std::string others = verdict_counts(s);
  return fmt::format(" on {} of {} cases{}", covered, cases,
                     others.empty() ? "" : fmt::format(" ({})", others));
}

// The verdicts of a model that completed no case: "skipped", or "skipped 4, refused 2".
std::string verdicts_only(const standing& s) {
  if (s.not_completed.size() == 1) return s.not_completed.front().first;
  return verdict_counts(s);
}

// Passed every case it ran, yet has the figure on none: the workload's question does not apply.
bool lacks_figure(const standing& s) {
  return s.completed == 0 && s.not_completed.size() == 1 &&
         s.not_completed.front().first == without_figure;
}

std::string cell_text(const workload_standings& w, const standing* s) {
  if (!s) return "";  // the model has no cell in this workload
  if (lacks_figure(*s)) return std::string(without_figure);
  if (s->best) return "**best**" + coverage(*s, s->completed, w.cases);
  if (s->relative)
    return (s->floor   ? "floor: "
            : s->tie() ? "tie: "
                       : "") +
           relative_text(*s) + coverage(*s, s->shared, w.cases);
  if (s->completed > 0) return fmt::format("no case in common with {}", w.best.value_or("?"));
  return verdicts_only(*s);
}

// ---- The headline case: where the verdict line quotes values ----

// The model's completed case on the largest rung; without a ladder, its last case in the
// matrix's order.
std::optional<std::string> largest_case(const answered& a, const std::string& model) {
  std::optional<std::string> out;
  double largest = -1;
  for (const auto& c : a.cells.cases) {
    const summary* s = a.cells.find(model, c);
    if (!s || !s->passed() || figure_values(*s, a.standing.merit.primary).empty()) continue;
    const double size = s->first().ladder_size.value_or(0);
    if (!out || size >= largest) out = c, largest = size;
  }
  return out;
}

// Where the summary quotes values: the best's largest case. None without a best.
std::optional<std::string> headline_case(const answered& a) {
  return a.standing.best ? largest_case(a, *a.standing.best) : std::nullopt;
}

// The model's figure at the case described (median, interval); none when it lacks it.
std::optional<stats::summary> figure_at(const answered& a, const std::string& model,
                                        const std::string& c, const merit::figure& f) {
  const summary* s = a.cells.find(model, c);
  if (!s || !s->passed()) return std::nullopt;
  const auto v = figure_values(*s, f);
  if (v.empty()) return std::nullopt;
  std::vector<double> x;
  for (const auto& [index, value] : v) x.push_back(value);
  return stats::describe(x);
}

// The median with its interval, without "per item" (the heading says it): "1.21 KiB [1.2–1.3 KiB]".
std::string value_at(const answered& a, const std::string& model, const std::string& c,
                     const merit::figure& f) {
  const auto s = figure_at(a, model, c, f);
  return s ? figure_with_interval(*s, f, "") : "";
}

// " · 1.21 KiB · 3.2 ms": the medians of the costs at the headline case, in the order the line's
// heading names them (their intervals are in the costs table); for a model that did not complete
// that case, at its own largest, named.
std::string costs_at(const answered& a, const std::string& model, const std::string& headline) {
  if (a.standing.merit.costs.empty()) return "";
  const auto completed = [&](const std::string& c) {
    return figure_at(a, model, c, a.standing.merit.primary).has_value();
  };
  const auto c = completed(headline) ? std::optional(headline) : largest_case(a, model);
  if (!c) return "";
  std::string out;
  for (const auto& f : a.standing.merit.costs) {
    const auto s = figure_at(a, model, *c, f);
    out += " · " + (s ? figure_value(s->median, f) : std::string(without_figure));
  }
  return *c == headline ? out : fmt::format("{} at {}", out, *c);
}

// "wall time · memory per task": the primary figure, then the costs.
std::string figures_named(const merit::declaration& d) {
  std::string out = merit::title_of(d.primary, d.item);
  for (const auto& f : d.costs) out += " · " + merit::title_of(f, d.item);
  return out;
}

bool is_python(const answered& a, const std::string& model) {
  return a.cells.counterparts.contains(model);
}

// ---- The verdict line ----

// The others in order of their figure over the best's, nearest first.
std::vector<const standing*> ranked(const workload_standings& w) {
  std::vector<const standing*> out;
  for (const auto& s : w.models)
    if (s.relative && !s.floor) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(),
                   [](auto* a, auto* b) { return a->relative->estimate < b->relative->estimate; });
  return out;
}

std::string other_text(const answered& a, const standing& s, const std::string& c) {
  return fmt::format("{} {}{}{}", s.model, ratio_alone(s),
                     coverage(s, s.shared, a.standing.cases, " on "), costs_at(a, s.model, c));
}

// "**coroutines** 908 ms [...] · 1.2 KiB (at n100000)"
std::string winner_text(const answered& a, const std::string& c) {
  const auto& w = a.standing;
  const standing& best = *w.find(*w.best);
  std::string md =
      fmt::format("**{}** {}{}", best.model, value_at(a, best.model, c, w.merit.primary),
                  costs_at(a, best.model, c));
  if (a.cells.cases.size() > 1) md += fmt::format(" (at {})", c);
  if (best.completed < w.cases)
    md += fmt::format(", best of the models that completed {} of the {} cases", best.completed,
                      w.cases);
  return md;
}

// The models that did not take part in the ranking: the floor, those without the figure, those
// that completed nothing.
std::string aside(const answered& a, const std::string& c) {
  const auto& w = a.standing;
  std::vector<std::string> parts, without;
  for (const auto& s : w.models) {
    if (s.floor && s.relative)
      parts.push_back(
          fmt::format("floor {} {}{}", s.model, ratio_alone(s), costs_at(a, s.model, c)));
    else if (lacks_figure(s))
      without.push_back(s.model);
    else if (!s.best && !s.relative && s.completed == 0)
      parts.push_back(fmt::format("{} {}", s.model, verdicts_only(s)));
  }
  if (!without.empty())
    parts.push_back(
        fmt::format("{}: – ({})", fmt::join(without, ", "),
                    w.merit.absent_why.empty() ? "no such figure" : w.merit.absent_why));
  return parts.empty() ? "" : fmt::format(" {}.", fmt::join(parts, "; "));
}

// The external programs against the best, on the cases both completed (the course's Python has a
// table of its own, against its counterparts).
std::string beside(const answered& a) {
  const auto& w = a.standing;
  std::vector<std::string> parts;
  for (const auto& s : w.programs) {
    if (is_python(a, s.model)) continue;
    if (s.relative)
      parts.push_back(fmt::format("{} {}{}", s.model, relative_text(s),
                                  coverage(s, s.shared, w.cases, " on ")));
    else if (s.completed == 0 && !lacks_figure(s))
      parts.push_back(fmt::format("{} {}", s.model, verdicts_only(s)));
  }
  return parts.empty() ? "" : fmt::format(" Beside it: {}.", fmt::join(parts, "; "));
}

// What follows "- **workload** (figures): ": the best and the others, or what each came to.
std::string verdict_text(const answered& a) {
  const auto& w = a.standing;
  if (!w.best) {
    std::vector<std::string> parts;
    for (const auto& s : w.models) parts.push_back(fmt::format("{} {}", s.model, verdicts_only(s)));
    return fmt::format("no model completed a case ({}).", fmt::join(parts, "; "));
  }
  const std::string c = *headline_case(a);
  std::vector<std::string> others;
  for (const standing* s : ranked(w)) others.push_back(other_text(a, *s, c));
  return fmt::format("{}{}.{}{}", winner_text(a, c),
                     others.empty() ? "" : fmt::format("; then {}", fmt::join(others, "; ")),
                     aside(a, c), beside(a));
}

// A workload whose cases each ask their own question (merit::declaration::per_case): a line per
// case, each ranked as a workload of that one case.
std::string lines_per_case(const answered& a) {
  std::string md = fmt::format("- **{}** ({}), the best at each case:\n", a.standing.workload,
                               figures_named(a.standing.merit));
  for (const auto& c : a.cells.cases) {
    answered one{a.cells, {}};
    one.cells.cases = {c};
    one.standing = standings(one.cells, a.standing.merit);
    md += fmt::format("  - {}: {}\n", c, verdict_text(one));
  }
  return md;
}

std::string verdict_line(const answered& a) {
  if (a.standing.merit.per_case && a.cells.cases.size() > 1) return lines_per_case(a);
  return fmt::format("- **{}** ({}): {}\n", a.standing.workload, figures_named(a.standing.merit),
                     verdict_text(a));
}

// ---- The tables ----

// The models of all workloads, in the order they first appear.
std::vector<std::string> model_columns(const std::vector<answered>& all) {
  std::vector<std::string> out;
  for (const auto& a : all)
    for (const auto& s : a.standing.models)
      if (std::find(out.begin(), out.end(), s.model) == out.end()) out.push_back(s.model);
  return out;
}

std::string table_head(const std::string& first, const std::vector<std::string>& models) {
  std::string md = fmt::format("| {} |", first);
  for (const auto& m : models) md += fmt::format(" {} |", m);
  md += "\n|---|";
  for (std::size_t i = 0; i < models.size(); ++i) md += "---:|";
  return md + "\n";
}

std::string ratio_table(const std::vector<answered>& all) {
  const auto models = model_columns(all);
  std::string md = table_head("workload: ranked on", models);
  for (const auto& a : all) {
    const auto& w = a.standing;
    md += fmt::format("| {}: {} |", w.workload, merit::title_of(w.merit.primary, w.merit.item));
    for (const auto& m : models) md += fmt::format(" {} |", cell_text(w, w.find(m)));
    md += "\n";
  }
  return md;
}

// Each workload's costs at its headline case (named on its first row), a row per cost.
std::string costs_table(const std::vector<answered>& all) {
  const auto models = model_columns(all);
  std::string md = table_head("workload: cost (case)", models);
  bool any = false;
  for (const auto& a : all) {
    const auto c = headline_case(a);
    if (!c) continue;
    for (bool first = true; const auto& f : a.standing.merit.costs) {
      md += fmt::format("| {}: {}{} |", a.standing.workload,
                        merit::title_of(f, a.standing.merit.item),
                        first ? fmt::format(" ({})", *c) : "");
      first = false;
      for (const auto& m : models) md += fmt::format(" {} |", value_at(a, m, *c, f));
      md += "\n";
      any = true;
    }
  }
  return any ? md : "";
}

// ---- The course's Python against its C++ counterpart ----

// "4 of 5", or "all 4".
std::string cases_covered(const standing& s, std::size_t cases) {
  return s.shared == cases ? fmt::format("all {}", cases)
                           : fmt::format("{} of {}", s.shared, cases);
}

// The Python cell's figure over its counterpart's; its coverage named only where it differs from
// the row's (memory that grew by 0 B on a case has no ratio there).
std::string python_ratio(const standing& s, std::size_t row_shared) {
  if (!s.relative) return "–";
  return (s.tie() ? "tie: " : "") + relative_text(s) +
         (s.shared == row_shared ? "" : fmt::format(" · {} cases", s.shared));
}

// A row of the Python table; the workload named on its first row only. A workload whose wall
// time is fixed compares on its primary figure, its CPU and memory not the model's ("–").
std::string python_row(const answered& a, const std::string& py, const std::string& cpp,
                       bool first) {
  using merit::quantity;
  const auto& w = a.cells;
  const bool fixed = a.standing.merit.fixed_wall_time;
  const standing time = relative_to(
                     w, fixed ? a.standing.merit.primary : merit::figure{.of = quantity::wall_time},
                     py, cpp),
                 cpu = relative_to(w, {.of = quantity::cpu_time}, py, cpp),
                 memory = relative_to(w, {.of = quantity::peak_memory}, py, cpp);
  return fmt::format("| {} | {} | {} | {} | {} | {} |\n", first ? w.name : "", py,
                     cases_covered(time, w.cases.size()), python_ratio(time, time.shared),
                     fixed ? "–" : python_ratio(cpu, time.shared),
                     fixed ? "–" : python_ratio(memory, time.shared));
}

// "; serve's time is its time per request": the workloads compared on their own figure.
std::string python_own_figures(const std::vector<answered>& all) {
  std::vector<std::string> parts;
  for (const auto& a : all)
    if (a.standing.merit.fixed_wall_time && !a.cells.counterparts.empty())
      parts.push_back(
          fmt::format("{}'s is its {} (its wall time is the case's)", a.cells.name,
                      merit::title_of(a.standing.merit.primary, a.standing.merit.item)));
  return parts.empty() ? "" : fmt::format("; time: {}", fmt::join(parts, "; "));
}

// "py-asyncio vs coroutines, py-X vs X": the pairs, said once; a Python cell named after its
// counterpart goes without saying.
std::string python_pairs(const std::vector<answered>& all) {
  std::vector<std::string> pairs;
  bool named_after = false;
  for (const auto& a : all)
    for (const auto& [py, cpp] : a.cells.counterparts) {
      const auto p = fmt::format("{} vs {}", py, cpp);
      if (py == "py-" + cpp)
        named_after = true;
      else if (std::find(pairs.begin(), pairs.end(), p) == pairs.end())
        pairs.push_back(p);
    }
  if (named_after) pairs.push_back(pairs.empty() ? "py-X vs X" : "the others py-X vs X");
  return fmt::format("{}", fmt::join(pairs, ", "));
}

std::string python_table(const std::vector<answered>& all) {
  std::string md;
  std::map<std::string, std::vector<std::string>> untimed;  // by verdict
  for (const auto& a : all)
    for (bool first = true; const auto& [py, cpp] : a.cells.counterparts) {
      const standing& s = *a.standing.find(py);
      // Untimed: it completed no case, not even one without the workload's own figure (offload's
      // py-threads has no loop, yet its time, CPU and memory compare).
      const bool passed_without_figure =
          std::any_of(s.not_completed.begin(), s.not_completed.end(),
                      [](const auto& n) { return n.first == without_figure; });
      if (s.completed == 0 && !passed_without_figure) {
        untimed[verdicts_only(s)].push_back(a.cells.name + "/" + py);
        continue;
      }
      md += python_row(a, py, cpp, first);
      first = false;
    }
  std::string out;
  if (!md.empty())
    out = fmt::format(
        "The course's Python over its C++ counterpart ({}): time, CPU and peak memory growth, on "
        "the cases both completed (–: a side has no such figure{}):\n\n"
        "| workload | Python | cases | time | CPU | memory |\n|---|---|---|---:|---:|---:|\n{}\n",
        python_pairs(all), python_own_figures(all), md);
  for (const auto& [verdict, cells] : untimed)
    out += fmt::format("The course's Python, {}: {}.\n\n", verdict, fmt::join(cells, ", "));
  return out;
}

// The key under the summary; the rule in full is in the method section (summary_method).
const char* const summary_key =
    "Key: **best** the lowest geometric mean of the first figure (lower is better; the costs "
    "after it are not ranked); **tie** the 95 % interval contains 1; **floor** a bound, not "
    "ranked; **–** no such figure; *k of n* the cases covered. The lines quote the table's "
    "ratios without their intervals. [The rule in full](#how-to-read-the-figures).\n\n";

// The workload with the default run's cases only: without the test cases and the sweep's rungs,
// unless those are all it has.
workload_cells default_run_cases(workload_cells w, const std::vector<std::string>& others) {
  std::vector<std::string> kept;
  for (const auto& c : w.cases)
    if (std::find(others.begin(), others.end(), w.name + "/" + c) == others.end())
      kept.push_back(c);
  if (!kept.empty()) w.cases = std::move(kept);
  return w;
}

}  // namespace

std::string summary_section(const results& r, const std::vector<workload_cells>& workloads) {
  const auto tests = split_list(r.value(vocabulary::context::test_cases).value_or(""));
  auto others = tests;
  for (auto& c : split_list(r.value(vocabulary::context::sweep_cases).value_or("")))
    others.push_back(std::move(c));
  std::vector<answered> all;
  for (const auto& w : workloads) {
    const auto d = merit_of(r, w.name);
    auto cells = d.every_rung ? w : default_run_cases(w, d.per_case ? tests : others);
    auto standing = standings(cells, d);
    all.push_back({std::move(cells), std::move(standing)});
  }
  if (all.empty()) return "";
  std::string md = "## Summary: which model for each job, by how much\n\n";
  for (const auto& a : all) md += verdict_line(a);
  md += "\n" + ratio_table(all) + "\n";
  if (const auto costs = costs_table(all); !costs.empty())
    md += "What each costs at the workload's headline case (median [95 % interval]):\n\n" + costs +
          "\n";
  return md + python_table(all) + summary_key;
}

std::string summary_method() {
  return "The summary's ranking. Each workload ranks the models on its own figure, named first in "
         "brackets (lower is better); the costs named after it are shown, not ranked. A ratio is "
         "the model's figure over the best's, the geometric mean over the cases both completed of "
         "the ratios of their medians, with a 95 % stratified-bootstrap interval (10,000 "
         "resamples, fixed seed; each case's rounds resampled on their own, as pairs where both "
         "ran in the same rounds). **best**: of the models that completed the most cases, the "
         "lowest geometric mean of its figure; every other model that completed those cases is "
         "then at least 1× of it. **tie**: the interval contains 1. **floor**: a lower bound "
         "shown, never ranked. **–**: the model has no such figure (the line says why). *k of n "
         "cases*: what the figure covers, and what the model came to on the rest. † fewer than 6 "
         "runs: coverage unknown. Values in a line are medians at the best's largest case "
         "(another case is named); the costs table gives their intervals, the table of ratios "
         "the intervals of the ratios a line quotes. Cases: the default "
         "run's, or every case run where the workload says so; a workload whose cases each ask "
         "their own question (a server's connections) has a line per case, the sweep's included, "
         "each ranked on that case alone, and its row of the table over all of them.\n\n";
}

}  // namespace concur::report::detail
