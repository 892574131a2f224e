#include "core/report.hpp"
#include "core/median.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

namespace concur::report {
namespace {

using nlohmann::json;

double seconds_per_unit(const std::string& unit) {
  if (unit == "ns") return 1e-9;
  if (unit == "us") return 1e-6;
  if (unit == "ms") return 1e-3;
  if (unit == "s") return 1.0;
  throw error(fmt::format("unknown time_unit \"{}\"", unit));
}

std::optional<double> number(const json& j, const char* key) {
  if (auto it = j.find(key); it != j.end() && it->is_number()) return it->get<double>();
  return std::nullopt;
}

// "FAIL: ...", "refused: ...": the verdict is the prefix the benchmark put on its skip message.
std::pair<std::string, std::string> split_verdict(const std::string& message) {
  for (const char* kind : {"FAIL", "refused", "skipped", "unsupported"}) {
    const std::string prefix = std::string(kind) + ": ";
    if (message.rfind(prefix, 0) == 0) return {kind, message.substr(prefix.size())};
  }
  return {"error", message};
}

row parse_row(const json& b) {
  const std::string name = b.value("run_name", b.value("name", ""));
  std::vector<std::string> parts;
  std::stringstream ss(name);
  for (std::string part; std::getline(ss, part, '/');) parts.push_back(part);
  if (parts.size() < 3)
    throw error(fmt::format("benchmark \"{}\" is not named workload/model/case", name));
  row r{.workload = parts[0], .model = parts[1], .case_name = parts[2]};
  r.repetition = b.value("repetition_index", 0);
  if (b.value("error_occurred", false)) {
    std::tie(r.verdict, r.detail) = split_verdict(b.value("error_message", ""));
    return r;
  }
  r.verdict = "pass";
  const std::string label = b.value("label", "");
  // label: "oracle=<source>; settings=<text>"
  if (auto semi = label.find("; settings=");
      label.rfind("oracle=", 0) == 0 && semi != std::string::npos) {
    r.oracle = label.substr(7, semi - 7);
    r.settings = label.substr(semi + 11);
  }
  r.iterations = b.value("iterations", 0LL);
  const double unit = seconds_per_unit(b.value("time_unit", "ns"));
  if (auto t = number(b, "real_time")) r.real_s = *t * unit;
  r.process_cpu_s = number(b, "process_cpu_s");
  r.items_per_second = number(b, "items_per_second");
  r.ideal_s = number(b, "ideal_s");
  r.efficiency = number(b, "efficiency");
  r.cpu_util = number(b, "cpu_util");
  r.peak_rss_growth_bytes = number(b, "peak_rss_growth");
  r.bytes_per_item = number(b, "bytes_per_item");
  static const std::set<std::string> known = {"name",
                                              "family_index",
                                              "per_family_instance_index",
                                              "run_name",
                                              "run_type",
                                              "repetitions",
                                              "repetition_index",
                                              "threads",
                                              "iterations",
                                              "real_time",
                                              "cpu_time",
                                              "time_unit",
                                              "label",
                                              "items_per_second",
                                              "bytes_per_second",
                                              "ideal_s",
                                              "efficiency",
                                              "process_cpu_s",
                                              "cpu_util",
                                              "peak_rss_growth",
                                              "bytes_per_item",
                                              "error_occurred",
                                              "error_message",
                                              "aggregate_name",
                                              "aggregate_unit"};
  for (const auto& [key, value] : b.items())
    if (!known.count(key) && value.is_number()) r.metrics.emplace_back(key, value.get<double>());
  return r;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string csv_number(const std::optional<double>& v) {
  return v ? fmt::format("{:.9g}", *v) : "";
}

std::string human_time(double s) {
  if (s >= 1) return fmt::format("{:.3g} s", s);
  if (s >= 1e-3) return fmt::format("{:.3g} ms", s * 1e3);
  return fmt::format("{:.3g} µs", s * 1e6);
}

std::string human_bytes(double b) {
  if (std::abs(b) >= 1024.0 * 1024 * 1024)
    return fmt::format("{:.3g} GiB", b / (1024.0 * 1024 * 1024));
  if (std::abs(b) >= 1024.0 * 1024) return fmt::format("{:.3g} MiB", b / (1024.0 * 1024));
  if (std::abs(b) >= 1024.0) return fmt::format("{:.3g} KiB", b / 1024.0);
  return fmt::format("{:.0f} B", b);
}

std::string md_escape(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += "<br>";
    else
      out += c;
  }
  return out;
}

template <class T>
void add_unique(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

// One workload x model x case, its repetitions folded.
struct summary {
  std::vector<const row*> reps;
  std::optional<double> median_of(std::optional<double> row::*field) const {
    std::vector<double> v;
    for (const row* r : reps)
      if (r->verdict == "pass" && (r->*field)) v.push_back(*(r->*field));
    return median(v);
  }
  std::optional<double> median_metric(const std::string& name) const {
    std::vector<double> v;
    for (const row* r : reps)
      for (const auto& [k, x] : r->metrics)
        if (r->verdict == "pass" && k == name) v.push_back(x);
    return median(v);
  }
  const row& first() const { return *reps.front(); }
  std::string verdict() const {
    for (const row* r : reps)
      if (r->verdict != "pass") return r->verdict;
    return "pass";
  }
  std::string detail() const {
    for (const row* r : reps)
      if (r->verdict != "pass") return r->detail;
    return "";
  }
};

}  // namespace

results parse(const json& doc) {
  if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array())
    throw error(
        "not Google Benchmark JSON: no \"benchmarks\" array (write it with concur-bench "
        "--benchmark_out=FILE)");
  results out;
  if (auto ctx = doc.find("context"); ctx != doc.end() && ctx->is_object()) {
    for (const auto& [key, value] : ctx->items()) {
      if (key == "caches") continue;
      out.context.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  for (const auto& b : doc["benchmarks"]) {
    if (!b.is_object()) throw error("a \"benchmarks\" entry is not an object");
    if (b.value("run_type", "iteration") != "iteration") continue;  // aggregates: we fold ourselves
    out.rows.push_back(parse_row(b));
  }
  return out;
}

results load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw error(fmt::format("cannot open \"{}\"", path));
  std::stringstream text;
  text << in.rdbuf();
  // Google Benchmark writes NaN and inf for aggregates of constant counters (a cv of 0/0); JSON
  // has no such numbers, so they are read as null (absent).
  static const std::regex non_finite(R"((:\s*)-?(NaN|nan|inf|Infinity)\b)");
  const std::string cleaned = std::regex_replace(text.str(), non_finite, "$1null");
  json doc;
  try {
    doc = json::parse(cleaned);
  } catch (const json::parse_error& e) {
    throw error(fmt::format("\"{}\" is not valid JSON: {}", path, e.what()));
  }
  try {
    return parse(doc);
  } catch (const json::exception& e) {
    throw error(fmt::format("\"{}\": unexpected content: {}", path, e.what()));
  }
}

std::string to_csv(const results& r) {
  std::string out =
      "workload,model,case,repetition,verdict,oracle,real_time_s,process_cpu_s,items_per_second,"
      "ideal_s,efficiency,cpu_util,peak_rss_growth_bytes,bytes_per_item,iterations,metrics,"
      "settings,detail\n";
  for (const auto& x : r.rows) {
    std::string metrics;
    for (const auto& [k, v] : x.metrics)
      metrics += fmt::format("{}{}={:.6g}", metrics.empty() ? "" : ";", k, v);
    out += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_field(x.workload),
        csv_field(x.model), csv_field(x.case_name), x.repetition, x.verdict, csv_field(x.oracle),
        csv_number(x.real_s), csv_number(x.process_cpu_s), csv_number(x.items_per_second),
        csv_number(x.ideal_s), csv_number(x.efficiency), csv_number(x.cpu_util),
        csv_number(x.peak_rss_growth_bytes), csv_number(x.bytes_per_item), x.iterations,
        csv_field(metrics), csv_field(x.settings), csv_field(x.detail));
  }
  return out;
}

std::string to_markdown(const results& r, const std::string& plot_dir_relative) {
  std::vector<std::string> workloads;
  std::map<std::string, std::vector<std::string>> cases, models;
  std::map<std::tuple<std::string, std::string, std::string>, summary> cells;
  for (const auto& x : r.rows) {
    add_unique(workloads, x.workload);
    add_unique(cases[x.workload], x.case_name);
    add_unique(models[x.workload], x.model);
    cells[{x.workload, x.model, x.case_name}].reps.push_back(&x);
  }

  std::string md = "# concur benchmark report\n\n";
  md +=
      "Median wall time per cell over its repetitions. *Speed-up* is the sequential median over "
      "the "
      "model's; *efficiency* is the model's ideal time over its actual time (1.0 = as fast as the "
      "model allows). Every timed cell was verified against its oracle before timing and again "
      "after.\n\n";
  for (const auto& w : workloads) {
    md += fmt::format("## {}\n\n", w);
    if (!plot_dir_relative.empty())
      md += fmt::format("![{0}: median time per case]({1}/{0}.png)\n\n", w, plot_dir_relative);
    // Overview: models down, cases across.
    md += "| model |";
    for (const auto& c : cases[w]) md += fmt::format(" {} |", c);
    md += "\n|---|";
    for (size_t i = 0; i < cases[w].size(); ++i) md += "---:|";
    md += "\n";
    for (const auto& m : models[w]) {
      md += fmt::format("| {} |", m);
      for (const auto& c : cases[w]) {
        auto it = cells.find({w, m, c});
        if (it == cells.end()) {
          md += " |";
          continue;
        }
        const auto t = it->second.median_of(&row::real_s);
        md += t ? fmt::format(" {} |", human_time(*t)) : fmt::format(" {} |", it->second.verdict());
      }
      md += "\n";
    }
    md +=
        "\n| case | model | median | speed-up | efficiency | ideal | CPU / run | peak RSS growth | "
        "bytes / item | verdict |\n";
    md += "|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n";
    // Each model's settings, and the cases of each when a case sets its own (16 I/O threads).
    std::map<std::string, std::vector<std::pair<std::string, std::vector<std::string>>>> settings;
    for (const auto& c : cases[w]) {
      std::optional<double> sequential;
      if (auto it = cells.find({w, "sequential", c}); it != cells.end())
        sequential = it->second.median_of(&row::real_s);
      for (const auto& m : models[w]) {
        auto it = cells.find({w, m, c});
        if (it == cells.end()) continue;
        const summary& s = it->second;
        const auto t = s.median_of(&row::real_s);
        auto opt = [](const std::optional<double>& v, auto f) {
          return v ? f(*v) : std::string("–");
        };
        const std::string verdict = s.verdict() == "pass"
                                        ? fmt::format("pass (vs {})", s.first().oracle)
                                        : fmt::format("{}: {}", s.verdict(), md_escape(s.detail()));
        if (const auto& text = s.first().settings; !text.empty()) {
          auto& seen = settings[m];
          auto same = std::find_if(seen.begin(), seen.end(),
                                   [&](const auto& entry) { return entry.first == text; });
          if (same == seen.end()) same = seen.insert(seen.end(), {text, {}});
          same->second.push_back(c);
        }
        md += fmt::format(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c, m, opt(t, human_time),
            (t && sequential) ? fmt::format("{:.2f}×", *sequential / *t) : std::string("–"),
            opt(s.median_of(&row::efficiency), [](double e) { return fmt::format("{:.2f}", e); }),
            opt(s.median_of(&row::ideal_s), human_time),
            opt(s.median_of(&row::process_cpu_s), human_time),
            opt(s.median_of(&row::peak_rss_growth_bytes), human_bytes),
            opt(s.median_of(&row::bytes_per_item),
                [](double b) { return fmt::format("{:.0f}", b); }),
            verdict);
      }
    }
    // How far each model got: the largest case (by items per run) it completed and verified.
    md += "\nLargest case each model completed:";
    for (const auto& m : models[w]) {
      std::optional<std::pair<double, std::string>> best;
      for (const auto& c : cases[w]) {
        auto it = cells.find({w, m, c});
        if (it == cells.end()) continue;
        const auto t = it->second.median_of(&row::real_s);
        const auto ips = it->second.median_of(&row::items_per_second);
        if (!t || !ips) continue;
        const double items = *t * *ips;
        if (!best || items > best->first) best = {items, c};
      }
      md += fmt::format(" **{}** {}{}", m, best ? best->second : "none",
                        &m == &models[w].back() ? "." : ";");
    }
    md += "\n";
    // The figures the workload measured beside its answer, when it has any.
    std::vector<std::string> metric_names;
    for (const auto& x : r.rows)
      if (x.workload == w)
        for (const auto& [k, v] : x.metrics) add_unique(metric_names, k);
    if (!metric_names.empty()) {
      md += "\nMeasured by the workload (medians):\n\n| case | model |";
      for (const auto& k : metric_names) md += fmt::format(" {} |", k);
      md += "\n|---|---|";
      for (size_t i = 0; i < metric_names.size(); ++i) md += "---:|";
      md += "\n";
      for (const auto& c : cases[w])
        for (const auto& m : models[w]) {
          auto it = cells.find({w, m, c});
          if (it == cells.end() || it->second.verdict() != "pass") continue;
          if (std::none_of(metric_names.begin(), metric_names.end(),
                           [&](const auto& k) { return it->second.median_metric(k); }))
            continue;  // an external program that measured none of them (find)
          md += fmt::format("| {} | {} |", c, m);
          for (const auto& k : metric_names) {
            const auto v = it->second.median_metric(k);
            md += v ? fmt::format(" {:.6g} |", *v) : std::string(" – |");
          }
          md += "\n";
        }
    }
    // The models beside the external programs (find, fd, wrk) on the cases that timed both.
    std::vector<std::string> programs;
    for (const auto& x : r.rows)
      if (x.workload == w && x.settings.rfind("external program", 0) == 0)
        add_unique(programs, x.model);
    const auto measured_cpu = [&](const std::string& program) {
      return std::any_of(r.rows.begin(), r.rows.end(), [&](const row& x) {
        return x.workload == w && x.model == program &&
               std::any_of(x.metrics.begin(), x.metrics.end(),
                           [](const auto& k) { return k.first == "client_cpu_us_per_req"; });
      });
    };
    if (!programs.empty()) {
      md +=
          "\nAgainst the external programs: the program's median time over the model's (above 1 "
          "the model is faster) and, where both measured it, the model's client CPU per request "
          "over the program's (below 1 the model uses less):\n\n| case | model |";
      for (const auto& p : programs)
        md += measured_cpu(p) ? fmt::format(" vs {0} | CPU/request vs {0} |", p)
                              : fmt::format(" vs {} |", p);
      md += "\n|---|---|";
      for (const auto& p : programs) md += measured_cpu(p) ? "---:|---:|" : "---:|";
      md += "\n";
      for (const auto& c : cases[w]) {
        std::vector<const summary*> timed;  // the programs' cells that ran on this case
        for (const auto& p : programs) {
          auto it = cells.find({w, p, c});
          timed.push_back(it != cells.end() && it->second.median_of(&row::real_s) ? &it->second
                                                                                  : nullptr);
        }
        if (std::all_of(timed.begin(), timed.end(), [](auto* t) { return t == nullptr; })) continue;
        for (const auto& m : models[w]) {
          if (std::find(programs.begin(), programs.end(), m) != programs.end()) continue;
          auto it = cells.find({w, m, c});
          if (it == cells.end()) continue;
          const auto t = it->second.median_of(&row::real_s);
          if (!t) continue;
          md += fmt::format("| {} | {} |", c, m);
          for (std::size_t i = 0; i < programs.size(); ++i) {
            const summary* p = timed[i];
            const auto pt = p ? p->median_of(&row::real_s) : std::nullopt;
            md += pt ? fmt::format(" {:.2f}× |", *pt / *t) : std::string(" – |");
            if (!measured_cpu(programs[i])) continue;
            const auto cpu = it->second.median_metric("client_cpu_us_per_req");
            const auto pcpu = p ? p->median_metric("client_cpu_us_per_req") : std::nullopt;
            md += cpu && pcpu && *pcpu > 0 ? fmt::format(" {:.2f}× |", *cpu / *pcpu)
                                           : std::string(" – |");
          }
          md += "\n";
        }
      }
    }
    if (!settings.empty()) {
      md += "\nModel settings:\n\n";
      for (const auto& m : models[w])
        if (settings.count(m)) {
          const auto& variants = settings[m];
          md += fmt::format("- **{}**:", m);
          for (const auto& [text, in_cases] : variants)
            md += variants.size() == 1
                      ? fmt::format(" {}", md_escape(text))
                      : fmt::format(" {} ({});", md_escape(text), fmt::join(in_cases, ", "));
          if (variants.size() > 1) md.pop_back();
          md += "\n";
        }
    }
    md += "\n";
  }
  md += "## Environment\n\n| key | value |\n|---|---|\n";
  for (const auto& [k, v] : r.context) md += fmt::format("| {} | {} |\n", k, md_escape(v));
  return md;
}

namespace {

// A log-scale plot of median time per case, one line per model, when gnuplot is installed.
std::optional<std::string> plot(const results& r, const std::string& workload,
                                const std::filesystem::path& dir) {
  std::vector<std::string> cases, models;
  std::map<std::pair<std::string, std::string>, summary> cells;
  for (const auto& x : r.rows) {
    if (x.workload != workload) continue;
    add_unique(cases, x.case_name);
    add_unique(models, x.model);
    cells[{x.model, x.case_name}].reps.push_back(&x);
  }
  const auto data_path = dir / (workload + ".dat");
  std::ofstream data(data_path);
  data << "case";
  for (const auto& m : models) data << ' ' << m;
  data << '\n';
  for (const auto& c : cases) {
    data << c;
    for (const auto& m : models) {
      auto it = cells.find({m, c});
      const auto t = it == cells.end() ? std::nullopt : it->second.median_of(&row::real_s);
      data << ' ' << (t ? fmt::format("{:.9g}", *t) : "NaN");
    }
    data << '\n';
  }
  data.close();
  const auto script_path = dir / (workload + ".gp");
  const auto png_path = dir / (workload + ".png");
  std::ofstream script(script_path);
  script << "set terminal pngcairo size 1000,600 noenhanced\n"
         << fmt::format("set output '{}'\n", png_path.string())
         << fmt::format(
                "set title '{}: median wall time per case (log scale; missing = skipped or "
                "refused)'\n",
                workload)
         << "set logscale y\nset ylabel 'seconds'\nset key outside right\nset grid ytics\n"
         << "set xtics rotate by -30\nset datafile missing 'NaN'\nset style data linespoints\n"
         << fmt::format("plot for [i=2:{}] '{}' using i:xtic(1) title columnheader(i)\n",
                        models.size() + 1, data_path.string());
  script.close();
  const std::string command = fmt::format("gnuplot '{}' 2>/dev/null", script_path.string());
  if (std::system(command.c_str()) != 0) return std::nullopt;
  return png_path.string();
}

}  // namespace

std::vector<std::string> write_all(const results& r, const std::string& dir_name) {
  const std::filesystem::path dir(dir_name);
  std::filesystem::create_directories(dir);
  std::vector<std::string> written;
  auto write = [&](const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p);
    out << text;
    if (!out) throw error(fmt::format("cannot write \"{}\"", p.string()));
    written.push_back(p.string());
  };
  write(dir / "results.csv", to_csv(r));
  bool plotted = std::system("command -v gnuplot >/dev/null 2>&1") == 0;
  if (plotted) {
    const auto plots = dir / "plots";
    std::filesystem::create_directories(plots);
    std::vector<std::string> done;
    for (const auto& x : r.rows) {
      if (std::find(done.begin(), done.end(), x.workload) != done.end()) continue;
      done.push_back(x.workload);
      if (auto png = plot(r, x.workload, plots))
        written.push_back(*png);
      else
        plotted = false;
    }
  }
  write(dir / "report.md", to_markdown(r, plotted ? "plots" : ""));
  return written;
}

}  // namespace concur::report
