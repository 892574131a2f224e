// report.md's first section: one table, workloads down and models across, each cell the model's
// time relative to the best model of the workload (report_summary.hpp's standings), and under it
// one sentence per workload, made from the same figures: the winner, its margin, the ties, and
// the external programs in the same terms.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/vocabulary.hpp"
#include "report/report_markdown.hpp"

namespace concur::report::detail {
namespace {

// The ratio and its interval with three significant digits of the ratio, and up to two more
// where the ends would otherwise read alike though they differ.
std::string ratio_and_range(const stats::ratio& r) {
  const int digits = std::max(0, 2 - static_cast<int>(std::floor(std::log10(r.estimate))));
  const auto text = [](double x, int d) { return fmt::format("{:.{}f}", x, d); };
  int d = digits;
  while (d < digits + 2 && r.ci.lo != r.ci.hi && text(r.ci.lo, d) == text(r.ci.hi, d)) ++d;
  return fmt::format("{}× [{}–{}]", text(r.estimate, d), text(r.ci.lo, d), text(r.ci.hi, d));
}

// "9.21× [8.93–9.60]", † when a case had too few runs for a 95 % interval, or the bare ratio of
// single runs.
std::string relative_text(const standing& s) {
  const auto& r = *s.relative;
  if (!s.has_interval()) return fmt::format("{:.3g}× (1 run: no interval)", r.estimate);
  return ratio_and_range(r) + (r.ci.below_level ? " †" : "");
}

// "skipped 2, refused 1"
std::string verdict_counts(const standing& s) {
  std::string out;
  for (const auto& [verdict, n] : s.not_completed)
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", verdict, n);
  return out;
}

// " · 4 of 6 cases (refused 2)" when the figure does not cover every case; `lead` is " · " in a
// table, " on " in a sentence.
std::string coverage(const standing& s, std::size_t covered, std::size_t cases,
                     const char* lead = " · ") {
  if (covered == cases) return "";
  const std::string others = verdict_counts(s);
  return fmt::format("{}{} of {} cases{}", lead, covered, cases,
                     others.empty() ? "" : fmt::format(" ({})", others));
}

// The verdicts of a model that completed no case: "skipped", or "skipped 4, refused 2".
std::string verdicts_only(const standing& s) {
  if (s.not_completed.size() == 1) return s.not_completed.front().first;
  return verdict_counts(s);
}

std::string cell_text(const workload_standings& w, const standing* s) {
  if (!s) return "";  // the model has no cell in this workload
  if (s->best) return "**best**" + coverage(*s, s->completed, w.cases);
  if (s->relative)
    return (s->tie() ? "tie: " : "") + relative_text(*s) + coverage(*s, s->shared, w.cases);
  if (s->completed > 0) return fmt::format("no case in common with {}", w.best.value_or("?"));
  return verdicts_only(*s);
}

// The models of all workloads, in the order they first appear.
std::vector<std::string> model_columns(const std::vector<workload_standings>& all) {
  std::vector<std::string> out;
  for (const auto& w : all)
    for (const auto& s : w.models)
      if (std::find(out.begin(), out.end(), s.model) == out.end()) out.push_back(s.model);
  return out;
}

std::string table(const std::vector<workload_standings>& all) {
  const auto models = model_columns(all);
  std::string md = "| workload |";
  for (const auto& m : models) md += fmt::format(" {} |", m);
  md += "\n|---|";
  for (std::size_t i = 0; i < models.size(); ++i) md += "---:|";
  md += "\n";
  for (const auto& w : all) {
    md += fmt::format("| {} |", w.workload);
    for (const auto& m : models) md += fmt::format(" {} |", cell_text(w, w.find(m)));
    md += "\n";
  }
  return md;
}

// "takes 9.21× [8.93–9.60] its time on 4 of 6 cases (refused 2)"
std::string takes(const standing& s, std::size_t cases) {
  return fmt::format("takes {} its time{}", relative_text(s), coverage(s, s.shared, cases, " on "));
}

// The other models against the best, nearest first.
std::vector<const standing*> ranked(const workload_standings& w) {
  std::vector<const standing*> out;
  for (const auto& s : w.models)
    if (s.relative) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(),
                   [](auto* a, auto* b) { return a->relative->estimate < b->relative->estimate; });
  return out;
}

// The winner and its margin: over the runner-up, or over the nearest resolved model when the
// nearest are ties.
std::string winner_clause(const workload_standings& w) {
  const standing& best = *w.find(*w.best);
  std::string md = fmt::format("**{}** is fastest", best.model);
  if (best.completed < w.cases)
    md += fmt::format(" of the models that completed {} of the {} cases", best.completed, w.cases);
  else if (w.cases > 1)
    md += w.cases == 2 ? " over both cases" : fmt::format(" over all {} cases", w.cases);
  const auto others = ranked(w);
  if (others.empty()) return md + "; no other model completed a case it completed";
  std::vector<std::string> ties;
  const standing* resolved = nullptr;
  for (const standing* s : others) {
    if (s->tie())
      ties.push_back(fmt::format("**{}** at {}", s->model, relative_text(*s)));
    else if (!resolved)
      resolved = s;
  }
  if (!ties.empty()) {
    md += fmt::format(", tied with {} (no difference resolved)", fmt::join(ties, ", "));
    if (resolved)
      md += fmt::format("; the nearest resolved, **{}**, {}", resolved->model,
                        takes(*resolved, w.cases));
    return md;
  }
  return md + fmt::format("; the runner-up, **{}**, {}", others.front()->model,
                          takes(*others.front(), w.cases));
}

std::string program_text(const workload_standings& w, const standing& s) {
  if (s.relative)
    return fmt::format("{} {}{}{}", s.model, relative_text(s), s.tie() ? " (tie)" : "",
                       s.shared == w.cases ? "" : fmt::format(" on {} of {}", s.shared, w.cases));
  if (s.completed > 0) return fmt::format("{}: no case in common with {}", s.model, *w.best);
  return fmt::format("{}: {}", s.model, verdicts_only(s));
}

// The external programs in the same terms: their time over the best model's, on the cases both
// completed.
std::string programs_clause(const workload_standings& w) {
  if (w.programs.empty() || !w.best) return "";
  std::vector<std::string> parts;
  for (const auto& s : w.programs) parts.push_back(program_text(w, s));
  return fmt::format(" External programs against **{}**, on the cases both ran: {}.", *w.best,
                     fmt::join(parts, "; "));
}

std::string sentence(const workload_standings& w) {
  if (!w.best) {
    std::vector<std::string> parts;
    for (const auto& s : w.models) parts.push_back(fmt::format("{} {}", s.model, verdicts_only(s)));
    return fmt::format("- **{}**: no model completed a case ({}).\n", w.workload,
                       fmt::join(parts, "; "));
  }
  return fmt::format("- **{}**: {}.{}\n", w.workload, winner_clause(w), programs_clause(w));
}

const char* const method_note =
    "Each cell is the model's time over the best model's (2× took twice as long), the geometric "
    "mean over the cases both completed of the per-case ratios: the median of the per-round "
    "ratios when the two ran in the same rounds, else the ratio of the medians. Its 95 % "
    "interval is a stratified bootstrap (10,000 resamples, fixed seed): each case's rounds are "
    "resampled on their own, its ratio taken again, and the geometric mean of those; the cases "
    "stay fixed, so the interval is the uncertainty of the measurement, not of the choice of "
    "cases. **best**: among the models that completed the most cases, the one with the lowest "
    "geometric mean of its time over the fastest model's on each case (every case weighs "
    "alike), and then the one none of them is below 1× of. **tie**: the interval contains 1, no "
    "difference from the best resolved. *k of n "
    "cases*: the cases the figure covers, with what the model came to on the others (skipped "
    "over the time budget, refused by the OS, unsupported, FAIL); a model that completed no "
    "case shows its verdict. † a case with fewer than 6 runs: the interval's coverage is "
    "unknown. The cases are the default run's: the test cases (--all-cases) and the sweep's "
    "larger rungs (--sweep) are left out, unless a workload ran no other.\n\n";

// The "workload/case" names a context key lists, comma-separated.
std::vector<std::string> listed_cases(const results& r, std::string_view key) {
  std::vector<std::string> out;
  std::string text = r.value(key).value_or("");
  for (std::size_t at = 0; at < text.size();) {
    const auto comma = std::min(text.find(',', at), text.size());
    out.push_back(text.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

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
  auto others = listed_cases(r, vocabulary::context::test_cases);
  for (auto& c : listed_cases(r, vocabulary::context::sweep_cases)) others.push_back(std::move(c));
  std::vector<workload_standings> all;
  for (const auto& w : workloads) all.push_back(standings(default_run_cases(w, others)));
  if (all.empty()) return "";
  std::string md = "## Summary: which model for each job, by how much\n\n" + table(all) + "\n";
  for (const auto& w : all) md += sentence(w);
  return md + "\n" + method_note;
}

}  // namespace concur::report::detail
