// report.md, per workload with size ladders: "How cost grows with the work". Per ladder, each
// model's cost fitted against the size on log-log axes (report/fit.hpp), its cost and memory per
// item at the largest rung it completed, where its growth bends past linear, and the rungs it did
// not complete; then one generated sentence that says the same.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "report/fit.hpp"
#include "report/report_markdown.hpp"

namespace concur::report::detail {
namespace {

struct rung {
  std::string case_name;
  double size = 0;
};

struct ladder {
  std::string axis;
  std::vector<rung> rungs;  // by size
  // Cases that cannot be rungs: a size not positive, or one another case of the axis has.
  std::vector<std::string> left_out;
};

// The workload's ladders in the order of its cases, each rung's size from any row of it that
// carries one (a skipped run does from concur-bench of late; older files only on timed rows, but
// the case is the same rung in every model).
std::vector<ladder> ladders_of(const workload_cells& w) {
  std::vector<ladder> out;
  for (const auto& c : w.cases) {
    const row* sized = nullptr;
    for (const auto& m : w.models)
      if (const summary* s = w.find(m, c))
        for (const row* r : s->reps)
          if (!sized && !r->ladder.empty() && r->ladder_size) sized = r;
    if (!sized) continue;
    auto l = std::find_if(out.begin(), out.end(), [&](auto& x) { return x.axis == sized->ladder; });
    if (l == out.end()) l = out.insert(out.end(), ladder{sized->ladder, {}});
    const double size = *sized->ladder_size;
    const auto same =
        std::find_if(l->rungs.begin(), l->rungs.end(), [&](auto& r) { return r.size == size; });
    if (size <= 0)
      l->left_out.push_back(fmt::format("{} (N = {})", c, size));
    else if (same != l->rungs.end())
      l->left_out.push_back(fmt::format("{} (N = {}, as {})", c, size, same->case_name));
    else
      l->rungs.push_back({c, size});
  }
  for (auto& l : out)
    std::stable_sort(l.rungs.begin(), l.rungs.end(),
                     [](auto& a, auto& b) { return a.size < b.size; });
  return out;
}

// "1,000,000"; a size that is not a whole number in three digits.
std::string size_text(double x) {
  if (x != std::floor(x) || x >= 1e15) return fmt::format("{:.3g}", x);
  std::string digits = fmt::format("{:.0f}", x), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// "tasks" → "task", "URLs at C = 64" → "URL", "entries" → "entry".
std::string unit_of(const std::string& axis) {
  std::string word = axis.substr(0, axis.find(' '));
  if (word.size() > 3 && word.ends_with("ies")) return word.substr(0, word.size() - 3) + "y";
  if (word.size() > 1 && word.ends_with('s')) word.pop_back();
  return word;
}

// "10, 100 and 1,000".
std::string sizes_text(const std::vector<double>& sizes) {
  std::string out;
  for (std::size_t i = 0; i < sizes.size(); ++i)
    out += (i == 0 ? "" : i + 1 == sizes.size() ? " and " : ", ") + size_text(sizes[i]);
  return out;
}

// Passed and timed, every time positive (a log needs it); else not completed.
bool completed(const summary* s) {
  const auto times = s ? s->values_of(&row::real_s) : by_repetition{};
  return s && s->passed() && !times.empty() &&
         std::all_of(times.begin(), times.end(), [](auto& t) { return t.second > 0; });
}

// One model on one ladder.
struct model_growth {
  std::string model;
  std::size_t rungs = 0;      // on the ladder
  bool beyond_ideal = false;  // fitted the time beyond the ideal, else the wall time
  std::vector<stats::rung_sample> samples;
  std::optional<stats::growth_fit> fit;
  std::optional<stats::summary> time_per_item;  // at the largest completed rung
  std::optional<double> bytes_per_item;
  std::vector<std::pair<std::string, std::vector<double>>> not_completed;  // by verdict
};

// Whether every run of every completed rung has an ideal, some ideal is above 0, and every run
// took longer than its ideal: only then is the time beyond the ideal a positive cost to fit.
bool fits_beyond_ideal(const std::vector<const summary*>& cells) {
  bool some_ideal = false;
  for (const summary* s : cells)
    for (const row* r : s->reps) {
      if (!r->real_s) continue;
      if (!r->ideal_s || *r->real_s <= *r->ideal_s) return false;
      some_ideal = some_ideal || *r->ideal_s > 0;
    }
  return some_ideal;
}

std::vector<double> costs(const summary& s, bool beyond_ideal) {
  std::vector<double> out;
  for (const row* r : s.reps)
    if (r->real_s) out.push_back(*r->real_s - (beyond_ideal ? *r->ideal_s : 0.0));
  return out;
}

void add_not_completed(model_growth& g, const summary& s, double size) {
  const std::string why = s.passed() ? "no positive time" : s.verdict();
  auto it = std::find_if(g.not_completed.begin(), g.not_completed.end(),
                         [&](auto& x) { return x.first == why; });
  if (it == g.not_completed.end()) it = g.not_completed.insert(g.not_completed.end(), {why, {}});
  it->second.push_back(size);
}

// The model's growth on the ladder, or none when it has no cell on it.
std::optional<model_growth> growth_of(const workload_cells& w, const ladder& l,
                                      const std::string& m) {
  model_growth g;
  g.model = m;
  g.rungs = l.rungs.size();
  std::vector<const summary*> done;
  std::vector<double> done_sizes;
  bool on_ladder = false;
  for (const auto& r : l.rungs) {
    const summary* s = w.find(m, r.case_name);
    on_ladder = on_ladder || s;
    if (completed(s)) {
      done.push_back(s);
      done_sizes.push_back(r.size);
    } else if (s) {
      add_not_completed(g, *s, r.size);
    }
  }
  if (!on_ladder) return std::nullopt;
  if (done.empty()) return g;
  g.beyond_ideal = fits_beyond_ideal(done);
  for (std::size_t i = 0; i < done.size(); ++i)
    g.samples.push_back({done_sizes[i], costs(*done[i], g.beyond_ideal)});
  if (g.samples.size() >= 2) g.fit = stats::fit_growth(g.samples);
  const auto& largest = g.samples.back();
  auto per_item = largest.values;
  for (auto& v : per_item) v /= largest.size;
  g.time_per_item = stats::describe(per_item);
  if (const auto rss = memory_growth(*done.back(), &row::peak_rss_growth_bytes))
    g.bytes_per_item = *rss / largest.size;
  return g;
}

std::string slope_text(double slope, const stats::interval& ci) {
  return fmt::format("{:.2f} [{:.2f}–{:.2f}]{}", slope, ci.lo, ci.hi, ci.below_level ? " †" : "");
}

std::string rungs_text(const model_growth& g) {
  if (g.samples.empty()) return "none";
  if (g.samples.size() == 1) return size_text(g.samples.front().size) + " (1)";
  return fmt::format("{} – {} ({})", size_text(g.samples.front().size),
                     size_text(g.samples.back().size), g.samples.size());
}

std::string bend_text(const model_growth& g) {
  if (!g.fit || !g.fit->bend) return "–";
  const auto& s = g.fit->segments[*g.fit->bend];
  return fmt::format("{} → {}: N^{}", size_text(s.from), size_text(s.to),
                     slope_text(s.slope, s.ci));
}

// The slope between the two largest rungs, where a fixed part of the cost weighs least; none with
// two rungs (it is the fit).
const stats::segment* top_segment(const model_growth& g) {
  return g.fit && g.fit->segments.size() >= 2 ? &g.fit->segments.back() : nullptr;
}

std::string top_text(const model_growth& g) {
  const auto* s = top_segment(g);
  return s ? slope_text(s->slope, s->ci) : "–";
}

// "skipped at 1,000; refused at 10,000", or "skipped at every rung".
std::string not_completed_text(const model_growth& g) {
  std::string out;
  for (const auto& [why, sizes] : g.not_completed)
    out += fmt::format("{}{} at {}", out.empty() ? "" : "; ", why,
                       sizes.size() == g.rungs ? "every rung" : sizes_text(sizes));
  return out.empty() ? "–" : out;
}

std::string cost_name(const model_growth& g) {
  return g.beyond_ideal ? "time beyond the ideal" : "wall time";
}

std::string table_row(const model_growth& g) {
  return fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", g.model,
                     g.samples.empty() ? "–" : cost_name(g), rungs_text(g),
                     g.fit ? slope_text(g.fit->slope, g.fit->slope_ci) : "–", top_text(g),
                     g.time_per_item ? time_with_interval(*g.time_per_item) : "–",
                     g.bytes_per_item ? human_bytes(*g.bytes_per_item) : "–", bend_text(g),
                     md_escape(not_completed_text(g)));
}

// "coroutines: time beyond the ideal ∝ N^1.02, 5.9 µs and 912 B per task at 1,000,000".
std::string clause(const model_growth& g, const std::string& unit) {
  std::string out = g.model + ": ";
  if (g.fit) out += fmt::format("{} ∝ N^{:.2f}", cost_name(g), g.fit->slope);
  if (const auto* s = top_segment(g))
    out += fmt::format(" (N^{:.2f} from {} to {})", s->slope, size_text(s->from), size_text(s->to));
  if (g.fit) out += ", ";
  out += human_time(g.time_per_item->median);
  if (g.bytes_per_item) out += " and " + human_bytes(*g.bytes_per_item);
  out += fmt::format(" per {} at {}", unit, size_text(g.samples.back().size));
  if (!g.fit) out += " (a single rung: no fit)";
  if (g.fit && g.fit->bend)
    out += fmt::format(", bending past linear at {} (N^{:.2f} beyond)",
                       size_text(g.fit->segments[*g.fit->bend].from),
                       g.fit->segments[*g.fit->bend].slope);
  if (!g.not_completed.empty()) out += " (" + not_completed_text(g) + ")";
  return out;
}

std::string ladder_section(const workload_cells& w, const ladder& l) {
  const std::string unit = unit_of(l.axis);
  std::string rows, sentence, none;
  for (const auto& m : w.models) {
    const auto g = growth_of(w, l, m);
    if (!g) continue;
    if (g->samples.empty()) {  // e.g. the Python cells of a run without --python
      none += fmt::format("{}{} ({})", none.empty() ? "" : ", ", m, not_completed_text(*g));
      continue;
    }
    rows += table_row(*g);
    sentence += (sentence.empty() ? "" : "; ") + clause(*g, unit);
  }
  std::vector<double> sizes;
  for (const auto& r : l.rungs) sizes.push_back(r.size);
  std::string md = fmt::format("\n**{}** (N = {}):\n\n", md_escape(l.axis), sizes_text(sizes));
  if (!rows.empty())
    md += fmt::format(
        "| model | cost fitted | rungs fitted (N) | slope [95 % CI] | slope of the two largest "
        "[95 % CI] | time / {0} at the largest "
        "[95 % CI] | bytes / {0} at the largest | bends past linear | not completed |\n"
        "|---|---|---:|---:|---:|---:|---:|---|---|\n{1}\n{2}.\n\n",
        unit, rows, sentence);
  if (!none.empty()) md += "No rung completed: " + md_escape(none) + ".\n";
  if (!l.left_out.empty())
    md += fmt::format("Not rungs of this ladder: {}.\n",
                      md_escape(fmt::format("{}", fmt::join(l.left_out, "; "))));
  return md;
}

const char* const note =
    "Each ladder's cases are its rungs, N its size. Per model, the cost fitted is the **time "
    "beyond the ideal** (each run's wall time less the model's ideal time for that rung: the "
    "fixed wait every model sits out, such as a delay or a latency, removed, so what grows is "
    "the model's own cost), or the **wall time** where the model has no ideal or some run beat "
    "it. *Slope*: least squares of ln(median cost) on ln(N) over the rungs the model completed, "
    "cost ∝ N^slope (1 = linear, 0 = flat); its 95 % interval by percentile bootstrap (each "
    "rung's runs resampled on their own, 10,000 times, fixed seed; † where a rung has 5 runs or "
    "fewer, so the coverage is unknown). A fixed part of the cost (a start-up, a timer's slack) "
    "flattens the slope over the small rungs: the *slope of the two largest* rungs, the marginal "
    "slope ln(m₂ / m₁) / ln(N₂ / N₁) of their median costs, is the growth where the cost per item "
    "weighs most. *Per item*: the fitted cost (with the order-statistic interval of its median) "
    "and the peak RSS growth at the largest rung the model completed, over its N. *Bends past "
    "linear*: the first pair of consecutive rungs whose marginal slope exceeds 1.2 with its "
    "bootstrap interval wholly above 1 (superlinear beyond the noise). Rungs a model did not "
    "complete (skipped, refused, failed) are left out of its fit and named.\n";

}  // namespace

std::string growth_method() {
  return std::string("**How cost grows with the work.** ") + note;
}

bool has_ladder(const workload_cells& w) {
  return !ladders_of(w).empty();
}

// The method is report.md's, said once there: a details file points to it.
std::string cost_growth(const workload_cells& w) {
  const auto ladders = ladders_of(w);
  if (ladders.empty()) return "";
  std::string md =
      "\n## How cost grows with the work\n\nHow the fits are made: report.md, *How to read the "
      "figures*.\n";
  for (const auto& l : ladders) md += ladder_section(w, l);
  return md;
}

}  // namespace concur::report::detail
