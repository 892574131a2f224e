// report.md: the summary, who wins each workload by how much (report_markdown_overview.cpp); the
// machine during the run and how to read the figures (report_markdown_machine.cpp,
// report_markdown_figures.cpp); per workload an overview, a detailed table with every figure's
// interval, the largest rung each model completed up a size ladder, the figures the workload
// measured, the models against the external programs and the model settings; then the
// calibration and the environment. One function per section.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/vocabulary.hpp"
#include "report/report_markdown.hpp"

namespace concur::report {
namespace {

using detail::by_repetition;
using detail::human_bytes;
using detail::human_time;
using detail::md_escape;
using detail::ratio_estimate;
using detail::summary;
using detail::workload_cells;

std::string heading(const workload_cells& w, const std::string& plot_dir) {
  return fmt::format("## {}\n\n", w.name) + detail::plot_links(w, plot_dir);
}

// "| a | b |\n" followed by the separator row with the given alignments.
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

// Models down, cases across: the median time (⚠ when noisy), or the verdict of a cell that has
// none.
std::string overview(const workload_cells& w) {
  std::vector<std::string> columns{"model"};
  columns.insert(columns.end(), w.cases.begin(), w.cases.end());
  std::string md = table_head(columns, "---|" + repeat("---:|", w.cases.size()));
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

std::string optional_number(const std::optional<double>& v, auto format) {
  return v ? format(*v) : std::string("–");
}

std::string optional_text(const std::optional<stats::summary>& s, auto format) {
  return s ? format(*s) : std::string("–");
}

// The sequential cell is the baseline; a model's speed-up is paired with it round by round.
std::string speed_up(const std::string& m, const summary& s, const summary* sequential) {
  if (m == "sequential") return s.time_stats() ? "baseline" : "–";
  if (!sequential) return "–";
  const auto r = detail::ratio_of(sequential->values_of(&row::real_s), s.values_of(&row::real_s));
  return r ? detail::ratio_with_interval(*r) : "–";
}

// A workload with nothing to wait for (prodcons) has no ideal time: it records 0.
std::optional<double> ideal_time(const summary& s) {
  const auto ideal = s.median_of(&row::ideal_s);
  return ideal && *ideal > 0 ? ideal : std::nullopt;
}

std::string efficiency(const summary& s, const std::optional<stats::summary>& time) {
  const auto ideal = ideal_time(s);
  return ideal && time ? detail::efficiency_with_interval(*ideal, *time) : "–";
}

std::string detailed_row(const std::string& c, const std::string& m, const summary& s,
                         const summary* sequential) {
  const auto time = s.time_stats();
  const std::string verdict = s.passed()
                                  ? fmt::format("pass (vs {})", s.first().oracle)
                                  : fmt::format("{}: {}", s.verdict(), md_escape(s.detail()));
  const auto fixed = [](int digits) {
    return [digits](double x) { return fmt::format("{:.{}f}", x, digits); };
  };
  return fmt::format(
      "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c, m,
      optional_text(time, detail::time_with_interval),
      optional_text(time, [](auto& t) { return std::to_string(t.n); }),
      optional_text(time, detail::cv_text),
      optional_text(time, [](auto& t) { return human_time(t.min); }), speed_up(m, s, sequential),
      efficiency(s, time), optional_number(ideal_time(s), human_time),
      optional_number(s.median_of(&row::process_cpu_s), human_time),
      optional_number(detail::memory_growth(s, &row::peak_rss_growth_bytes), human_bytes),
      optional_number(detail::memory_growth(s, &row::bytes_per_item), fixed(0)), verdict);
}

// A row per case and model: time with its interval, spread, speed-up, efficiency, CPU, memory,
// verdict.
std::string detailed(const workload_cells& w) {
  std::string md(1, '\n');
  md += table_head(
      {"case", "model", "median [95 % CI]", "n", "CV", "min", "speed-up [95 % CI]",
       "efficiency [95 % CI]", "ideal", "CPU / run", "peak RSS growth", "bytes / item", "verdict"},
      fmt::format("---|---|{}---|", repeat("---:|", 10)));
  for (const auto& c : w.cases) {
    const summary* seq = w.find("sequential", c);
    for (const auto& m : w.models)
      if (const summary* s = w.find(m, c)) md += detailed_row(c, m, *s, seq);
  }
  return md;
}

// The rungs of one size ladder: (size, case), smallest first.
std::vector<std::pair<double, std::string>> rungs(const workload_cells& w,
                                                  const std::string& axis) {
  std::vector<std::pair<double, std::string>> out;
  for (const auto& c : w.cases) {
    std::optional<double> size;  // from any run of the case that was timed on this ladder
    for (const auto& [key, cell] : w.cells)
      for (const row* r : cell.reps)
        if (key.second == c && r->ladder == axis && r->ladder_size) size = r->ladder_size;
    if (size) out.emplace_back(*size, c);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

// How far each model got up each size ladder of the workload (none for categorical cases): the
// largest rung it completed and verified.
std::string largest_cases(const workload_cells& w) {
  std::vector<std::string> axes;
  for (const auto& [key, cell] : w.cells)
    for (const row* r : cell.reps)
      if (!r->ladder.empty() && std::find(axes.begin(), axes.end(), r->ladder) == axes.end())
        axes.push_back(r->ladder);
  std::string md;
  for (const auto& axis : axes) {
    const auto ladder = rungs(w, axis);
    md += fmt::format("\nLargest rung of the {} ladder each model completed:", md_escape(axis));
    for (const auto& m : w.models) {
      std::string largest = "none";
      for (const auto& [size, c] : ladder)
        if (const summary* s = w.find(m, c); s && s->passed() && s->median_of(&row::real_s))
          largest = fmt::format("{} ({:g} {})", c, size, md_escape(axis));
      md += fmt::format(" **{}** {}{}", m, largest, &m == &w.models.back() ? "." : ";");
    }
    md += "\n";
  }
  return md;
}

// The figures the workload measured beside its answer, when it has any.
std::string measured(const workload_cells& w) {
  if (w.metrics.empty()) return "";
  std::vector<std::string> columns{"case", "model"};
  columns.insert(columns.end(), w.metrics.begin(), w.metrics.end());
  std::string md = "\nMeasured by the workload (medians):\n\n" +
                   table_head(columns, "---|---|" + repeat("---:|", w.metrics.size()));
  for (const auto& c : w.cases)
    for (const auto& m : w.models) {
      const summary* s = w.find(m, c);
      if (!s || !s->passed()) continue;
      if (std::none_of(w.metrics.begin(), w.metrics.end(),
                       [&](const auto& k) { return s->median_metric(k); }))
        continue;  // an external program that measured none of them (find)
      md += fmt::format("| {} | {} |", c, m);
      for (const auto& k : w.metrics) {
        const auto v = s->median_metric(k);
        md += v ? fmt::format(" {:.6g} |", *v) : std::string(" – |");
      }
      md += "\n";
    }
  return md;
}

const std::string client_cpu(vocabulary::counters::client_cpu_us_per_req);

// Whether the program measured its client CPU per request (wrk does, find does not).
bool measured_cpu(const workload_cells& w, const std::string& program) {
  return std::any_of(w.cells.begin(), w.cells.end(), [&](const auto& cell) {
    return cell.first.first == program &&
           std::any_of(cell.second.reps.begin(), cell.second.reps.end(), [](const row* r) {
             return std::any_of(r->metrics.begin(), r->metrics.end(),
                                [](const auto& k) { return k.first == client_cpu; });
           });
  });
}

// The external programs this table compares with: the course's Python has its own section.
std::vector<std::string> programs_beside(const workload_cells& w) {
  std::vector<std::string> out;
  for (const auto& p : w.programs)
    if (!w.counterparts.contains(p)) out.push_back(p);
  return out;
}

std::string against_programs_head(const workload_cells& w,
                                  const std::vector<std::string>& programs) {
  std::string md =
      "\nAgainst the external programs, each ratio with its 95 % interval: the program's time "
      "over the model's (above 1 the model is faster) and, where both measured it, the model's "
      "client CPU per request over the program's (below 1 the model uses less):\n\n"
      "| case | model |";
  for (const auto& p : programs)
    md += measured_cpu(w, p) ? fmt::format(" vs {0} | CPU/request vs {0} |", p)
                             : fmt::format(" vs {} |", p);
  md += "\n|---|---|";
  for (const auto& p : programs) md += measured_cpu(w, p) ? "---:|---:|" : "---:|";
  return md + "\n";
}

std::string ratio_text(const by_repetition& numerator, const by_repetition& denominator) {
  const auto r = detail::ratio_of(numerator, denominator);
  return r ? detail::ratio_with_interval(*r) : "–";
}

// One model on one case against each program's cell there (null where the program has no time).
std::string against_programs_row(const workload_cells& w, const std::vector<std::string>& programs,
                                 const std::string& c, const std::string& m,
                                 const std::vector<const summary*>& timed) {
  const summary& s = *w.find(m, c);
  std::string md = fmt::format("| {} | {} |", c, m);
  for (std::size_t i = 0; i < programs.size(); ++i) {
    const summary* p = timed[i];
    md += fmt::format(" {} |",
                      p ? ratio_text(p->values_of(&row::real_s), s.values_of(&row::real_s)) : "–");
    if (!measured_cpu(w, programs[i])) continue;
    md += fmt::format(
        " {} |", p ? ratio_text(s.metric_values(client_cpu), p->metric_values(client_cpu)) : "–");
  }
  return md + "\n";
}

// The models beside the external programs (find, fd, wrk) on the cases that timed both.
std::string against_programs(const workload_cells& w) {
  const auto programs = programs_beside(w);
  if (programs.empty()) return "";
  std::string md = against_programs_head(w, programs);
  for (const auto& c : w.cases) {
    std::vector<const summary*> timed;  // the programs' cells that ran on this case
    for (const auto& p : programs) {
      const summary* s = w.find(p, c);
      timed.push_back(s && s->median_of(&row::real_s) ? s : nullptr);
    }
    if (std::all_of(timed.begin(), timed.end(), [](auto* t) { return t == nullptr; })) continue;
    for (const auto& m : w.models) {
      if (w.is_program(m)) continue;
      const summary* s = w.find(m, c);
      if (s && s->median_of(&row::real_s)) md += against_programs_row(w, programs, c, m, timed);
    }
  }
  return md;
}

// Each model's settings, and the cases of each when a case sets its own (16 I/O threads).
std::string model_settings(const workload_cells& w) {
  std::map<std::string, std::vector<std::pair<std::string, std::vector<std::string>>>> settings;
  for (const auto& c : w.cases)
    for (const auto& m : w.models) {
      const summary* s = w.find(m, c);
      if (!s || s->first().settings.empty()) continue;
      const auto& text = s->first().settings;
      auto& seen = settings[m];
      auto same = std::find_if(seen.begin(), seen.end(),
                               [&](const auto& entry) { return entry.first == text; });
      if (same == seen.end()) same = seen.insert(seen.end(), {text, {}});
      same->second.push_back(c);
    }
  if (settings.empty()) return "";
  std::string md = "\nModel settings:\n\n";
  for (const auto& m : w.models) {
    if (!settings.count(m)) continue;
    const auto& variants = settings[m];
    md += fmt::format("- **{}**:", m);
    for (const auto& [text, in_cases] : variants)
      md += variants.size() == 1
                ? fmt::format(" {}", md_escape(text))
                : fmt::format(" {} ({});", md_escape(text), fmt::join(in_cases, ", "));
    if (variants.size() > 1) md.pop_back();
    md += "\n";
  }
  return md;
}

}  // namespace

std::string to_markdown(const results& r, const std::string& plot_dir_relative) {
  const auto workloads = detail::by_workload(r);
  std::string md = "# concur benchmark report\n\n" + detail::machine_warnings(r) +
                   detail::summary_section(r, workloads) +
                   detail::machine_during_run(r, workloads) + detail::methods(r);
  for (const auto& w : workloads)
    md += heading(w, plot_dir_relative) + overview(w) + detailed(w) + largest_cases(w) +
          detail::cost_growth(w) + measured(w) + against_programs(w) + detail::against_python(w) +
          model_settings(w) + "\n";
  return md + detail::calibration(r) + detail::environment(r);
}

}  // namespace concur::report
