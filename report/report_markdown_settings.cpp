// report.md's Settings: each model's settings once for the whole run (a model is set up alike in
// every workload, so a list per workload said the same thing nine times), with a line under it for
// each other setting a workload or some of its cases gave it (16 I/O threads on one case).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "report/report_markdown.hpp"

namespace concur::report::detail {
namespace {

// One setting of a model, and the cells (workload, case) that ran with it.
struct variant {
  std::string text;
  std::vector<std::pair<const workload_cells*, std::string>> cells;
};

struct model_variants {
  std::string model;
  std::vector<variant> variants;  // in the order first met
};

std::vector<model_variants> collect(const std::vector<workload_cells>& workloads) {
  std::vector<model_variants> out;
  for (const auto& w : workloads)
    for (const auto& c : w.cases)
      for (const auto& m : w.models) {
        const summary* s = w.find(m, c);
        if (!s || s->first().settings.empty()) continue;
        auto model = std::find_if(out.begin(), out.end(), [&](auto& x) { return x.model == m; });
        if (model == out.end()) model = out.insert(out.end(), {m, {}});
        const auto& text = s->first().settings;
        auto& vs = model->variants;
        auto same = std::find_if(vs.begin(), vs.end(), [&](auto& v) { return v.text == text; });
        if (same == vs.end()) same = vs.insert(vs.end(), {text, {}});
        same->cells.emplace_back(&w, c);
      }
  return out;
}

// The cells of the model in the workload that recorded a setting.
std::size_t cells_with_settings(const workload_cells& w, const std::string& model) {
  return std::count_if(w.cases.begin(), w.cases.end(), [&](const auto& c) {
    const summary* s = w.find(model, c);
    return s && !s->first().settings.empty();
  });
}

// "dirsearch (every case); fetch n10000_c64, nginx_n10000_c64"
std::string where(const variant& v, const std::string& model) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < v.cells.size();) {
    const workload_cells* w = v.cells[i].first;
    std::vector<std::string> cases;
    for (; i < v.cells.size() && v.cells[i].first == w; ++i) cases.push_back(v.cells[i].second);
    parts.push_back(cases.size() == cells_with_settings(*w, model)
                        ? fmt::format("{} (every case)", w->name)
                        : fmt::format("{} {}", w->name, fmt::join(cases, ", ")));
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

// The setting most cells ran with heads the model's line; the others are named by their cells.
std::string model_lines(const model_variants& m) {
  const auto common = std::max_element(
      m.variants.begin(), m.variants.end(),
      [](const auto& a, const auto& b) { return a.cells.size() < b.cells.size(); });
  std::string md = fmt::format("- **{}**: {}\n", m.model, md_escape(common->text));
  for (auto v = m.variants.begin(); v != m.variants.end(); ++v)
    if (v != common)
      md += fmt::format("  - in {}: {}\n", md_escape(where(*v, m.model)), md_escape(v->text));
  return md;
}

}  // namespace

std::string settings_section(const std::vector<workload_cells>& workloads,
                             const std::vector<std::string>& model_order) {
  auto models = collect(workloads);
  if (models.empty()) return "";
  // The matrix's order, the models it does not list (external programs) after, as met.
  const auto rank = [&](const model_variants& m) {
    return std::find(model_order.begin(), model_order.end(), m.model) - model_order.begin();
  };
  std::stable_sort(models.begin(), models.end(),
                   [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  std::string md =
      "## Settings\n\nEach model's settings, as every cell recorded them; below a model, the "
      "workloads and cases that ran it otherwise.\n\n";
  for (const auto& m : models) md += model_lines(m);
  return md + "\n";
}

}  // namespace concur::report::detail
