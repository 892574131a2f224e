// Reading what concur-bench wrote: Google Benchmark's JSON, one row per repetition.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "core/vocabulary.hpp"
#include "report/report.hpp"

namespace concur::report {
namespace {

using nlohmann::json;
namespace vocab = concur::vocabulary;

double seconds_per_unit(const std::string& unit) {
  if (unit == "ns") return 1e-9;
  if (unit == "us") return 1e-6;
  if (unit == "ms") return 1e-3;
  if (unit == "s") return 1.0;
  throw error(fmt::format("unknown time_unit \"{}\"", unit));
}

std::optional<double> number(const json& j, std::string_view key) {
  if (auto it = j.find(key); it != j.end() && it->is_number()) return it->get<double>();
  return std::nullopt;
}

// The benchmark's name, workload/model/case (Google Benchmark may append more).
row row_named(const json& b) {
  const std::string name = b.value("run_name", b.value("name", ""));
  std::vector<std::string> parts;
  std::stringstream ss(name);
  for (std::string part; std::getline(ss, part, '/');) parts.push_back(part);
  if (parts.size() < 3)
    throw error(fmt::format("benchmark \"{}\" is not named workload/model/case", name));
  return {.workload = parts[0], .model = parts[1], .case_name = parts[2]};
}

void read_timings(const json& b, row& r) {
  namespace counters = vocab::counters;
  r.iterations = b.value("iterations", 0LL);
  const double unit = seconds_per_unit(b.value("time_unit", "ns"));
  if (auto t = number(b, "real_time")) r.real_s = *t * unit;
  r.process_cpu_s = number(b, counters::process_cpu_s);
  r.items_per_second = number(b, "items_per_second");
  r.ideal_s = number(b, counters::ideal_s);
  r.efficiency = number(b, counters::efficiency);
  r.cpu_util = number(b, counters::cpu_util);
  r.peak_rss_growth_bytes = number(b, counters::peak_rss_growth);
  r.bytes_per_item = number(b, counters::bytes_per_item);
  r.ladder_size = number(b, counters::ladder_size);
  for (const auto& [key, value] : b.items())
    if (vocab::is_workload_metric(key) && value.is_number())
      r.metrics.emplace_back(key, value.get<double>());
}

// A run's time that cannot be one (0, negative, 1e308 ns, null for an inf): compared or plotted,
// it would give an infinite ratio and a NaN CI a verdict. The row becomes an error with the
// reason, listed as a failed run is.
constexpr double shortest_time_s = 1e-12, longest_time_s = 1e6;

void refuse_impossible_time(const json& b, row& r) {
  const auto it = b.find("real_time");
  if (it == b.end()) return;  // an older or hand-made file: untimed, as before
  if (r.real_s && *r.real_s >= shortest_time_s && *r.real_s <= longest_time_s) return;
  r.verdict = to_string(vocab::verdict_kind::error);
  r.detail = fmt::format("real_time {} {} is not a measurement (not between {:g} and {:g} s)",
                         it->dump(), b.value("time_unit", "ns"), shortest_time_s, longest_time_s);
  r.real_s.reset();
}

row parse_row(const json& b) {
  row r = row_named(b);
  r.repetition = b.value("repetition_index", 0);
  r.family_index = b.value("family_index", -1LL);
  auto label = vocab::parse_label(b.value("label", ""));
  r.counterpart = std::move(label.counterpart);
  if (b.value("error_occurred", false)) {
    auto skip = vocab::parse_skip_message(b.value("error_message", ""));
    r.verdict = to_string(skip.kind);
    r.detail = std::move(skip.detail);
    r.ladder = std::move(label.ladder);  // its rung, named even though nothing was timed
    r.ladder_size = label.rung;
    return r;
  }
  r.verdict = to_string(vocab::verdict_kind::pass);
  r.oracle = std::move(label.oracle);
  r.settings = std::move(label.settings);
  r.external = label.external;
  r.ladder = std::move(label.ladder);
  read_timings(b, r);
  refuse_impossible_time(b, r);
  return r;
}

// A JSON object's members as text: strings as they are, anything else as its JSON.
std::vector<std::pair<std::string, std::string>> key_values(const json& object) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, value] : object.items()) {
    if (key == "caches") continue;  // Google Benchmark's cache list: long, and in no section
    out.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return out;
}

// Files from before the label named a Python cell's counterpart (nor the context the model
// order): the pairs those binaries wrote, fixed as those files are.
constexpr std::pair<std::string_view, std::string_view> older_counterparts[] = {
    {"py-sequential", "sequential"},
    {"py-threads", "threads"},
    {"py-executor", "executor"},
    {"py-asyncio", "coroutines"}};

void add_older_counterparts(std::vector<row>& rows) {
  for (auto& r : rows)
    for (const auto& [cell, model] : older_counterparts)
      if (r.counterpart.empty() && r.model == cell) r.counterpart = model;
}

// An older file's model order: the names that are neither an external program nor a Python cell
// as the matrix first lists them (by family_index; concur-bench lists the models in their order
// in every workload, the Python cells and the programs after them).
std::vector<std::string> models_by_first_place(const std::vector<row>& rows) {
  std::set<std::string> beside;
  std::vector<const row*> ordered;
  for (const auto& r : rows) {
    if (r.external || !r.counterpart.empty()) beside.insert(r.model);
    ordered.push_back(&r);
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const row* a, const row* b) { return a->family_index < b->family_index; });
  std::vector<std::string> out;
  for (const row* r : ordered)
    if (!beside.contains(r->model) && std::find(out.begin(), out.end(), r->model) == out.end())
      out.push_back(r->model);
  return out;
}

}  // namespace

std::vector<std::string> split_list(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, separator);)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::optional<std::string> results::value(std::string_view key) const {
  for (const auto* kvs : {&after, &context})
    for (const auto& [k, v] : *kvs)
      if (k == key) return v;
  return std::nullopt;
}

results parse(const json& doc) {
  if (!doc.is_object() || !doc.contains("benchmarks") || !doc["benchmarks"].is_array())
    throw error(
        "not Google Benchmark JSON: no \"benchmarks\" array (write it with concur-bench "
        "--benchmark_out=FILE)");
  results out;
  if (auto ctx = doc.find("context"); ctx != doc.end() && ctx->is_object())
    out.context = key_values(*ctx);
  if (auto after = doc.find(after_object); after != doc.end() && after->is_object())
    out.after = key_values(*after);
  for (const auto& b : doc["benchmarks"]) {
    if (!b.is_object()) throw error("a \"benchmarks\" entry is not an object");
    if (b.value("run_type", "iteration") != "iteration") continue;  // aggregates: we fold ourselves
    out.rows.push_back(parse_row(b));
  }
  if (const auto order = out.value(vocab::context::model_order)) {
    out.model_order = split_list(*order);
  } else {
    add_older_counterparts(out.rows);
    out.model_order = models_by_first_place(out.rows);
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

}  // namespace concur::report
