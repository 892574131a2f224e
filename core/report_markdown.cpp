// report.md: per workload an overview, a detailed table, the largest case each model completed,
// the figures the workload measured, the models against the external programs and the model
// settings; then the environment. One function per section.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/report_summary.hpp"
#include "core/vocabulary.hpp"

namespace concur::report {
namespace {

using detail::human_bytes;
using detail::human_time;
using detail::md_escape;
using detail::summary;
using detail::workload_cells;

std::string introduction() {
  return "# concur benchmark report\n\n"
         "Median wall time per cell over its repetitions. *Speed-up* is the sequential median "
         "over the model's; *efficiency* is the model's ideal time over its actual time (1.0 = as "
         "fast as the model allows). Every timed cell was verified against its oracle before "
         "timing and again after.\n\n";
}

std::string heading(const workload_cells& w, const std::string& plot_dir) {
  std::string md = fmt::format("## {}\n\n", w.name);
  if (!plot_dir.empty())
    md += fmt::format("![{0}: median time per case]({1}/{0}.png)\n\n", w.name, plot_dir);
  return md;
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

// Models down, cases across: the median time, or the verdict of a cell that has none.
std::string overview(const workload_cells& w) {
  std::vector<std::string> columns{"model"};
  columns.insert(columns.end(), w.cases.begin(), w.cases.end());
  std::string md = table_head(columns, "---|" + repeat("---:|", w.cases.size()));
  for (const auto& m : w.models) {
    md += fmt::format("| {} |", m);
    for (const auto& c : w.cases) {
      const summary* s = w.find(m, c);
      const auto t = s ? s->median_of(&row::real_s) : std::nullopt;
      md += !s ? " |" : fmt::format(" {} |", t ? human_time(*t) : s->verdict());
    }
    md += "\n";
  }
  return md;
}

std::string optional_number(const std::optional<double>& v, auto format) {
  return v ? format(*v) : std::string("–");
}

std::string detailed_row(const std::string& c, const std::string& m, const summary& s,
                         std::optional<double> sequential) {
  const auto t = s.median_of(&row::real_s);
  const std::string verdict = s.passed()
                                  ? fmt::format("pass (vs {})", s.first().oracle)
                                  : fmt::format("{}: {}", s.verdict(), md_escape(s.detail()));
  const auto fixed = [](int digits) {
    return [digits](double x) { return fmt::format("{:.{}f}", x, digits); };
  };
  return fmt::format(
      "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c, m, optional_number(t, human_time),
      (t && sequential) ? fmt::format("{:.2f}×", *sequential / *t) : std::string("–"),
      optional_number(s.median_of(&row::efficiency), fixed(2)),
      optional_number(s.median_of(&row::ideal_s), human_time),
      optional_number(s.median_of(&row::process_cpu_s), human_time),
      optional_number(s.median_of(&row::peak_rss_growth_bytes), human_bytes),
      optional_number(s.median_of(&row::bytes_per_item), fixed(0)), verdict);
}

// A row per case and model: time, speed-up, efficiency, CPU, memory, verdict.
std::string detailed(const workload_cells& w) {
  std::string md = "\n" + table_head({"case", "model", "median", "speed-up", "efficiency", "ideal",
                                      "CPU / run", "peak RSS growth", "bytes / item", "verdict"},
                                     "---|---|" + repeat("---:|", 7) + "---|");
  for (const auto& c : w.cases) {
    const summary* seq = w.find("sequential", c);
    const auto sequential = seq ? seq->median_of(&row::real_s) : std::nullopt;
    for (const auto& m : w.models)
      if (const summary* s = w.find(m, c)) md += detailed_row(c, m, *s, sequential);
  }
  return md;
}

// How far each model got: the largest case (by items per run) it completed and verified.
std::string largest_cases(const workload_cells& w) {
  std::string md = "\nLargest case each model completed:";
  for (const auto& m : w.models) {
    std::optional<std::pair<double, std::string>> best;
    for (const auto& c : w.cases) {
      const summary* s = w.find(m, c);
      const auto t = s ? s->median_of(&row::real_s) : std::nullopt;
      const auto ips = s ? s->median_of(&row::items_per_second) : std::nullopt;
      if (!t || !ips) continue;
      if (const double items = *t * *ips; !best || items > best->first) best = {items, c};
    }
    md += fmt::format(" **{}** {}{}", m, best ? best->second : "none",
                      &m == &w.models.back() ? "." : ";");
  }
  return md + "\n";
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

std::string against_programs_head(const workload_cells& w) {
  std::string md =
      "\nAgainst the external programs: the program's median time over the model's (above 1 "
      "the model is faster) and, where both measured it, the model's client CPU per request "
      "over the program's (below 1 the model uses less):\n\n| case | model |";
  for (const auto& p : w.programs)
    md += measured_cpu(w, p) ? fmt::format(" vs {0} | CPU/request vs {0} |", p)
                             : fmt::format(" vs {} |", p);
  md += "\n|---|---|";
  for (const auto& p : w.programs) md += measured_cpu(w, p) ? "---:|---:|" : "---:|";
  return md + "\n";
}

// One model on one case against each program's cell there (null where the program has no time).
std::string against_programs_row(const workload_cells& w, const std::string& c,
                                 const std::string& m, double t,
                                 const std::vector<const summary*>& timed) {
  const summary& s = *w.find(m, c);
  std::string md = fmt::format("| {} | {} |", c, m);
  for (std::size_t i = 0; i < w.programs.size(); ++i) {
    const summary* p = timed[i];
    const auto pt = p ? p->median_of(&row::real_s) : std::nullopt;
    md += pt ? fmt::format(" {:.2f}× |", *pt / t) : std::string(" – |");
    if (!measured_cpu(w, w.programs[i])) continue;
    const auto cpu = s.median_metric(client_cpu);
    const auto pcpu = p ? p->median_metric(client_cpu) : std::nullopt;
    md += cpu && pcpu && *pcpu > 0 ? fmt::format(" {:.2f}× |", *cpu / *pcpu) : std::string(" – |");
  }
  return md + "\n";
}

// The models beside the external programs (find, fd, wrk) on the cases that timed both.
std::string against_programs(const workload_cells& w) {
  if (w.programs.empty()) return "";
  std::string md = against_programs_head(w);
  for (const auto& c : w.cases) {
    std::vector<const summary*> timed;  // the programs' cells that ran on this case
    for (const auto& p : w.programs) {
      const summary* s = w.find(p, c);
      timed.push_back(s && s->median_of(&row::real_s) ? s : nullptr);
    }
    if (std::all_of(timed.begin(), timed.end(), [](auto* t) { return t == nullptr; })) continue;
    for (const auto& m : w.models) {
      if (w.is_program(m)) continue;
      const summary* s = w.find(m, c);
      if (const auto t = s ? s->median_of(&row::real_s) : std::nullopt)
        md += against_programs_row(w, c, m, *t, timed);
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

std::string environment(const results& r) {
  std::string md = "## Environment\n\n| key | value |\n|---|---|\n";
  for (const auto& [k, v] : r.context) md += fmt::format("| {} | {} |\n", k, md_escape(v));
  return md;
}

}  // namespace

std::string to_markdown(const results& r, const std::string& plot_dir_relative) {
  std::string md = introduction();
  for (const auto& w : detail::by_workload(r))
    md += heading(w, plot_dir_relative) + overview(w) + detailed(w) + largest_cases(w) +
          measured(w) + against_programs(w) + model_settings(w) + "\n";
  return md + environment(r);
}

}  // namespace concur::report
