// details/<workload>.md: a workload's per-case tables, which report.md links to from the
// workload's section: every cell with every figure's interval, the cells not timed one line per
// reason (a row each drowned the tables), the largest rung each model completed up a size ladder,
// how cost grows, the figures the workload measured, the models against the external programs and
// against the course's Python.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "core/vocabulary.hpp"
#include "report/report_markdown.hpp"

namespace concur::report::detail {
namespace {

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
  const auto r = ratio_of(sequential->values_of(&row::real_s), s.values_of(&row::real_s));
  return r ? ratio_with_interval(*r) : "–";
}

// A workload with nothing to wait for (prodcons) has no ideal time: it records 0.
std::optional<double> ideal_time(const summary& s) {
  const auto ideal = s.median_of(&row::ideal_s);
  return ideal && *ideal > 0 ? ideal : std::nullopt;
}

std::string efficiency(const summary& s, const std::optional<stats::summary>& time) {
  const auto ideal = ideal_time(s);
  return ideal && time ? efficiency_with_interval(*ideal, *time) : "–";
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
  return fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c, m,
                     optional_text(time, time_with_interval),
                     optional_text(time, [](auto& t) { return std::to_string(t.n); }),
                     optional_text(time, [&](auto& t) { return cv_text(t, s.noisy_above); }),
                     optional_text(time, [](auto& t) { return human_time(t.min); }),
                     speed_up(m, s, sequential), efficiency(s, time),
                     optional_number(ideal_time(s), human_time),
                     optional_number(s.median_of(&row::process_cpu_s), human_time),
                     optional_number(memory_growth(s, &row::peak_rss_growth_bytes), human_bytes),
                     optional_number(memory_growth(s, &row::bytes_per_item), fixed(0)), verdict);
}

// A cell that was not timed and did not pass (skipped, refused, FAIL): listed by its reason, not
// given a row of dashes.
bool untimed(const summary& s) {
  return !s.passed() && !s.median_of(&row::real_s);
}

// A row per case and model that was timed or passed: time with its interval, spread, speed-up,
// efficiency, CPU, memory, verdict.
std::string detailed(const workload_cells& w) {
  std::string rows;
  for (const auto& c : w.cases) {
    const summary* seq = w.find("sequential", c);
    for (const auto& m : w.models)
      if (const summary* s = w.find(m, c); s && !untimed(*s)) rows += detailed_row(c, m, *s, seq);
  }
  if (rows.empty()) return "";
  return "\n## Every cell\n\n" +
         table_head({"case", "model", "median [95 % CI]", "n", "CV", "min", "speed-up [95 % CI]",
                     "efficiency [95 % CI]", "ideal", "CPU / run", "peak RSS growth",
                     "bytes / item", "verdict"},
                    fmt::format("---|---|{}---|", repeat("---:|", 10))) +
         rows;
}

// A reason with its numbers taken out, so that "ideal time 10.0 s exceeds the budget" and "ideal
// time 100.0 s exceeds the budget" fall in one group; the numbers, in order, beside it.
// Where a number was in a masked reason: a control character no reason holds.
constexpr char hole = '\x1f';

struct reason_shape {
  std::string masked;
  std::vector<std::string> numbers;
};

reason_shape shape_of(const std::string& reason) {
  reason_shape out;
  for (std::size_t i = 0; i < reason.size();) {
    if (!std::isdigit(static_cast<unsigned char>(reason[i]))) {
      out.masked += reason[i++];
      continue;
    }
    std::size_t end = i;
    while (end < reason.size() && (std::isdigit(static_cast<unsigned char>(reason[end])) ||
                                   (reason[end] == '.' && end + 1 < reason.size() &&
                                    std::isdigit(static_cast<unsigned char>(reason[end + 1])))))
      ++end;
    out.numbers.push_back(reason.substr(i, end - i));
    out.masked += hole;
    i = end;
  }
  return out;
}

struct untimed_cell {
  std::string model, case_name;
  std::vector<std::string> numbers;
};

struct reason_group {
  std::string verdict;
  reason_shape shape;  // the first cell's
  std::vector<untimed_cell> cells;
};

// Which of the group's numbers differ between its cells.
std::vector<bool> varying(const reason_group& g) {
  std::vector<bool> out(g.shape.numbers.size(), false);
  for (const auto& cell : g.cells)
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = out[i] || cell.numbers[i] != g.shape.numbers[i];
  return out;
}

// The reason with each number that differs between the cells as "…".
std::string reason_text(const reason_group& g, const std::vector<bool>& differs) {
  std::string out;
  std::size_t n = 0;
  for (const char c : g.shape.masked) {
    if (c != hole) {
      out += c;
      continue;
    }
    out += differs[n] ? "…" : g.shape.numbers[n];
    ++n;
  }
  return out;
}

// "sequential n100 (10.0), n1000 (100.0); tbb n100 (5.0)": the cells by model, each with the
// numbers its reason has in place of the "…".
std::string cells_text(const reason_group& g, const std::vector<bool>& differs) {
  std::vector<std::string> models;
  std::map<std::string, std::vector<std::string>> cases;
  for (const auto& cell : g.cells) {
    if (!cases.contains(cell.model)) models.push_back(cell.model);
    std::vector<std::string> own;
    for (std::size_t i = 0; i < differs.size(); ++i)
      if (differs[i]) own.push_back(cell.numbers[i]);
    cases[cell.model].push_back(own.empty()
                                    ? cell.case_name
                                    : fmt::format("{} ({})", cell.case_name, fmt::join(own, ", ")));
  }
  std::vector<std::string> parts;
  for (const auto& m : models) parts.push_back(fmt::format("{} {}", m, fmt::join(cases[m], ", ")));
  return fmt::format("{}", fmt::join(parts, "; "));
}

// The cells not timed, one line per verdict and reason: "- skipped (ideal time … s exceeds the
// budget of 3 s (--budget)): sequential n100 (10.0), n1000 (100.0); tbb n100 (5.0)".
std::string not_timed(const workload_cells& w) {
  std::vector<reason_group> groups;
  for (const auto& c : w.cases)
    for (const auto& m : w.models) {
      const summary* s = w.find(m, c);
      if (!s || !untimed(*s)) continue;
      auto shape = shape_of(s->detail());
      auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& x) {
        return x.verdict == s->verdict() && x.shape.masked == shape.masked;
      });
      if (g == groups.end()) g = groups.insert(groups.end(), {s->verdict(), shape, {}});
      g->cells.push_back({m, c, std::move(shape.numbers)});
    }
  if (groups.empty()) return "";
  std::string md =
      "\n## Not timed\n\nThe cells that have no time, by what they came to and why "
      "(where the reasons differ only in a number, … stands for it and each cell "
      "gives its own):\n\n";
  for (const auto& g : groups) {
    const auto differs = varying(g);
    const auto reason = reason_text(g, differs);
    md += fmt::format("- {}{}: {}\n", g.verdict,
                      reason.empty() ? "" : fmt::format(" ({})", md_escape(reason)),
                      md_escape(cells_text(g, differs)));
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
        md += !v                                            ? std::string(" – |")
              : k == vocabulary::counters::program_peak_rss ? " " + human_bytes(*v) + " |"
                                                            : fmt::format(" {:.6g} |", *v);
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
  const auto r = ratio_of(numerator, denominator);
  return r ? ratio_with_interval(*r) : "–";
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

}  // namespace

std::string details_path(const std::string& workload) {
  std::string name;
  for (const char c : workload)
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return "details/" + name + ".md";
}

std::string details(const workload_cells& w) {
  return fmt::format(
             "# {}: every case\n\nThe per-case tables of [report.md](../report.md), "
             "which has this workload's summary, plots and overview; how to read the "
             "figures is there too.\n",
             w.name) +
         detailed(w) + not_timed(w) + largest_cases(w) + cost_growth(w) + measured(w) +
         against_programs(w) + against_python(w);
}

}  // namespace concur::report::detail
