// report.md's sections on the machine: its state during the run (at the very top, so that a busy
// machine is the first thing a reader sees), its calibration and the raw environment (at the end).
// Read from the keys core/machine.hpp names; a file from an older concur-bench has none of them
// and the sections say so.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/machine.hpp"
#include "core/vocabulary.hpp"
#include "report/report_markdown.hpp"

namespace concur::report::detail {
namespace {

namespace keys = machine::keys;

std::optional<double> as_number(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  double x = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, x);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return x;
}

std::string text_or(const std::optional<std::string>& v, std::string_view fallback) {
  return v && !v->empty() ? *v : std::string(fallback);
}

// The loud line: the first thing under the title when the bench found the machine busy.
std::string busy_warning(const results& r) {
  if (r.value(keys::noise_busy) != "true") return "";
  return fmt::format(
      "> **Warning: the machine was busy during this run** ({}). Figures below may be inflated "
      "and noisy.\n\n",
      md_escape(text_or(r.value(keys::noise_busy_reasons), "no reason recorded")));
}

// CONCUR_TEST_SLOWDOWN slowed a model down on purpose: no reader may take it for a finding.
std::string test_hook_warning(const results& r) {
  const auto hook = r.value(vocabulary::context::test_slowdown);
  if (!hook || *hook == vocabulary::context::test_slowdown_off) return "";
  return fmt::format(
      "> **Warning: a model was slowed down on purpose** (CONCUR_TEST_SLOWDOWN={}, a test "
      "hook): its figures are not its own.\n\n",
      md_escape(*hook));
}

}  // namespace

// How many timed cells are noisier than the machine, and the machine's own noise floor: the reader
// learns at the top how much of the report to trust.
std::string noise_line(const results& r, const std::vector<workload_cells>& workloads) {
  std::size_t timed = 0, noisy = 0;
  for (const auto& w : workloads)
    for (const auto& [key, cell] : w.cells) {
      const auto s = cell.time_stats();
      if (!s || s->n < 2) continue;
      ++timed;
      noisy += cell.noisy() ? 1 : 0;
    }
  const auto floor = noise_floor_cv(r);
  const std::string floor_text =
      floor ? fmt::format(
                  "Noise floor: a fixed loop timed once per round varied by {:.1f} % "
                  "(robust CV, 1.4826 × MAD / median; CV {:.1f} %). ",
                  *floor * 100, stats::describe(noise_floor_runs(r)).cv * 100)
            : "";
  if (timed == 0) return floor_text.empty() ? "" : floor_text + "\n\n";
  return fmt::format("{}{} of {} cells timed more than once have a CV above {:.1f} %{}{}.\n\n",
                     floor_text, noisy, timed, noisy_threshold(r) * 100,
                     floor ? fmt::format(" (twice the floor, or {:.0f} %)", noisy_cv * 100) : "",
                     noisy ? ", marked ⚠" : "");
}

namespace {

// Google Benchmark's own load_avg: [1 min, 5 min, 15 min], read before the first cell.
std::string old_load_average(const results& r) {
  const auto text = r.value("load_avg");
  if (!text) return "The context has no load average either.";
  const auto loads = nlohmann::json::parse(*text, nullptr, false);
  if (!loads.is_array() || loads.empty() || !loads[0].is_number())
    return fmt::format("Load average at the start: {}.", md_escape(*text));
  const double load1 = loads[0].get<double>();
  const auto cpus = as_number(r.value("num_cpus"));
  std::vector<std::string> each;
  for (const auto& x : loads)
    each.push_back(x.is_number() ? fmt::format("{:.2f}", x.get<double>()) : "?");
  std::string md =
      fmt::format("Load average at the start (1, 5, 15 min): {}", fmt::join(each, ", "));
  if (!cpus || *cpus <= 0) return md + ".";
  md += fmt::format(" on {:g} CPUs", *cpus);
  // The bench's own threshold for a busy start; this load also counts our own build, hence "may".
  if (load1 > machine::thresholds{}.load_per_core * *cpus)
    md += fmt::format(
        ": above {} per CPU, so the machine may not have been quiet (the figure also counts "
        "whatever ran just before, such as the build)",
        machine::thresholds{}.load_per_core);
  return md + ".";
}

std::string no_machine_state(const results& r) {
  return "This run recorded no machine state (written by a concur-bench without the noise "
         "probes): whether the machine was quiet is unknown. " +
         old_load_average(r) + "\n";
}

// One "| what | value |" line per key the run recorded.
std::string state_row(const results& r, std::string_view key, std::string_view what,
                      const std::string& suffix = "") {
  const auto v = r.value(key);
  if (!v || v->empty()) return "";
  return fmt::format("| {} | {}{} |\n", what, md_escape(*v), suffix);
}

std::string load_row(const results& r) {
  const auto before = r.value(keys::noise_load_before), after = r.value(keys::noise_load_after);
  if (!before && !after) return "";
  return fmt::format("| load average (1 min) | {} at the start, {} at the end, on {} CPUs |\n",
                     text_or(before, "–"), text_or(after, "–"),
                     text_or(r.value(keys::machine_cores), "?"));
}

std::string others_row(const results& r) {
  const auto cores = r.value(keys::noise_others_cores);
  const auto top = r.value(keys::noise_top_processes);
  if (!cores && !top) return "";
  return fmt::format("| other processes | {} cores on average; busiest: {} |\n",
                     text_or(cores, "?"), md_escape(text_or(top, "none")));
}

std::string swap_row(const results& r) {
  const auto v = r.value(keys::machine_swap_used_kib);
  if (!v) return "";
  const auto kib = as_number(v);
  return fmt::format("| swap in use | {} |\n", kib ? human_bytes(*kib * 1024) : md_escape(*v));
}

std::string machine_state(const results& r) {
  const bool busy = r.value(keys::noise_busy) == "true";
  const auto interval = r.value(keys::noise_interval_s);
  std::string md = "| | |\n|---|---|\n";
  md += fmt::format("| state | **{}**{} |\n", busy ? "busy" : "quiet",
                    busy ? ": " + md_escape(text_or(r.value(keys::noise_busy_reasons), "?")) : "");
  md += load_row(r);
  const std::string over = interval ? fmt::format(" of all CPU time over {} s", *interval) : "";
  md += state_row(r, keys::noise_steal_pct, "steal (the hypervisor)", " %" + over);
  md += state_row(r, keys::noise_iowait_pct, "iowait", " %" + over);
  md += others_row(r);
  md += state_row(r, keys::machine_cpu_governor, "CPU frequency governor");
  md += state_row(r, keys::machine_cpu_freq_mhz, "CPU frequencies (MHz)");
  md += state_row(r, keys::machine_aslr, "ASLR");
  return md + swap_row(r);
}

// A calibration figure in readable units; the bench's own words ("not measured") as they are.
std::string probe_value(const results& r, std::string_view key) {
  const auto v = r.value(key);
  if (!v) return "–";
  const auto ns = as_number(v);
  return ns ? human_time(*ns * 1e-9) : md_escape(*v);
}

// What an allocator does to the peak-RSS figures. Before each run the probe has the allocator
// hand its free pages back (glibc's malloc_trim, jemalloc's arena purge, mimalloc's forced
// collect); mimalloc keeps recently freed pages committed all the same (its decommit delay;
// setting it to 0 slowed 1M sleeps by ~20 %, so it is left as shipped). Measured on this suite:
// 10,000 sleeping coroutines read ~0 B per task under mimalloc against 890 B under glibc; at 1M,
// 870-910 B under both.
std::string allocator_caveat(std::string_view name) {
  if (name != "mimalloc") return "";
  return " Its peak-RSS growth and bytes per item read low: mimalloc keeps pages an earlier run "
         "freed committed for reuse even when asked to return them, so a run reuses them "
         "unseen, and a small cell can read near 0 B per item. Read its memory figures as lower "
         "bounds; at the largest rungs the reuse is a small share of the growth.";
}

// The allocator the run's malloc came from (concur-bench --allocator); nothing for older files.
std::string allocator_line(const results& r) {
  const auto name = r.value(vocabulary::context::allocator);
  if (!name) return "";
  const auto library = r.value(vocabulary::context::allocator_library);
  return fmt::format("Memory allocator: **{}**{}.{}\n\n", md_escape(*name),
                     library && !library->empty() ? fmt::format(" (`{}`)", *library) : "",
                     allocator_caveat(*name));
}

}  // namespace

// concur-bench records how the rounds ended only when they end (and rewrites its file after
// every round): a file with rounds but no end is from a run killed or interrupted part-way.
std::string cut_short_warning(const results& r) {
  namespace ctx = vocabulary::context;
  if (!r.value(ctx::rounds_seed) || r.value(ctx::rounds_done)) return "";
  int rounds = 0;
  for (const auto& row : r.rows) rounds = std::max(rounds, row.repetition + 1);
  return fmt::format(
      "> **Warning: this run was cut short** after {} round{}: its file records no end of the "
      "rounds (concur-bench was killed or interrupted). Its figures come from fewer rounds than "
      "the stopping rule asked for, and the machine's state covers only its start.\n\n",
      rounds, rounds == 1 ? "" : "s");
}

std::string machine_warnings(const results& r) {
  return cut_short_warning(r) + busy_warning(r) + test_hook_warning(r);
}

std::string machine_during_run(const results& r) {
  std::string md = "## Machine during the run\n\n";
  md += r.value(keys::noise_busy) ? machine_state(r) : no_machine_state(r);
  return md + "\n" + allocator_line(r);
}

std::string calibration(const results& r) {
  std::string md = "## Machine calibration\n\n";
  if (!r.value(keys::calibration_page_fault_ns) && !r.value(keys::calibration_virtualization))
    return md +
           "This run recorded no calibration probes (written by a concur-bench without them).\n\n";
  md +=
      "What basic operations cost on this machine (medians of short probes at the start of the "
      "run): a machine where they cost more runs the same code slower.\n\n| probe | cost |\n"
      "|---|---:|\n";
  const std::pair<std::string_view, std::string_view> probes[] = {
      {keys::calibration_page_fault_ns, "minor page fault (first touch of a fresh 4 KiB page)"},
      {keys::calibration_syscall_ns, "system call (getppid)"},
      {keys::calibration_thread_create_join_ns, "thread create + join"},
      {keys::calibration_context_switch_ns, "context switch (two threads on one CPU, one way)"},
  };
  for (const auto& [key, what] : probes)
    md += fmt::format("| {} | {} |\n", what, probe_value(r, key));
  return md + fmt::format("\nVirtualization: {}.\n\n",
                          md_escape(text_or(r.value(keys::calibration_virtualization), "unknown")));
}

std::string environment(const results& r) {
  std::string md = "## Environment\n\n| key | value |\n|---|---|\n";
  for (const auto& [k, v] : r.context) md += fmt::format("| {} | {} |\n", k, md_escape(v));
  for (const auto& [k, v] : r.after)
    md += fmt::format("| {} (after the run) | {} |\n", k, md_escape(v));
  return md;
}

}  // namespace concur::report::detail
