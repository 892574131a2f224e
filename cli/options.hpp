#pragma once
// The options layer shared by concur and concur-bench. Range checks for numeric options: a value
// out of range is a usage error at parse time (exit status 2) whose message gives the range and
// why, never a wrapped-around -1, nor a huge number echoed back in full. The model settings, each
// flag registered here once with its range and help. Environment variables as fallbacks of flags.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <concepts>
#include <map>
#include <string>
#include <string_view>

#include "cli/top_level.hpp"
#include "models/models.hpp"

namespace concur::cli {

// Threads a model may be given (--pool-threads, --worker-threads, -j): at least one (none would
// never run a task: a hang), at most 4096 (more is a typo on any machine this runs on, and
// spawning them alone takes seconds; a lower OS limit is reported as the OS's refusal).
inline constexpr unsigned max_model_threads = 4096;

namespace detail {

// The input as the user typed it, cut short when long.
inline std::string shown(const std::string& input) {
  return input.size() <= 24 ? input : input.substr(0, 20) + "...";
}

inline std::string range_text(const auto& lo, const auto& hi, std::string_view unit) {
  return fmt::format("from {}{} to {}{}", lo, unit, hi, unit);
}

}  // namespace detail

// A whole number of type T in [lo, hi]; `why` (optional) says what the bound protects.
template <std::integral T>
CLI::Validator whole_in(T lo, T hi, std::string why = {}) {
  return CLI::Validator(
      [lo, hi, why](std::string& input) -> std::string {
        T value{};
        const auto [end, ec] = std::from_chars(input.data(), input.data() + input.size(), value);
        const bool whole = ec != std::errc::invalid_argument && end == input.data() + input.size();
        if (whole && ec == std::errc{} && value >= lo && value <= hi) return {};
        return fmt::format("{} is not a whole number {}{}", detail::shown(input),
                           detail::range_text(lo, hi, ""), why.empty() ? "" : " (" + why + ")");
      },
      fmt::format("{}..{}", lo, hi));
}

// A finite number in [lo, hi] (after any unit transform), in `unit`.
inline CLI::Validator number_in(double lo, double hi, std::string unit = {}, std::string why = {}) {
  return CLI::Validator(
      [lo, hi, unit, why](std::string& input) -> std::string {
        double value = 0;
        const auto [end, ec] = std::from_chars(input.data(), input.data() + input.size(), value);
        if (ec == std::errc{} && end == input.data() + input.size() && std::isfinite(value) &&
            value >= lo && value <= hi)
          return {};
        return fmt::format("{}{} is not a number {}{}", detail::shown(input), unit,
                           detail::range_text(lo, hi, unit), why.empty() ? "" : " (" + why + ")");
      },
      fmt::format("{}..{}{}", lo, hi, unit));
}

// A string that must not be empty (a path, a host).
inline CLI::Validator non_empty(std::string what) {
  return CLI::Validator(
      [what](std::string& input) { return input.empty() ? what + " is empty" : std::string(); },
      "");
}

// "1h", "10min", "60s" or "5ms": a bound in the unit that reads best.
inline std::string duration_text(long long ms) {
  if (ms != 0 && ms % 3'600'000 == 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms != 0 && ms % 60'000 == 0) return fmt::format("{}min", ms / 60'000);
  if (ms != 0 && ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

// A duration option written as 500ms or 5s (a bare number is milliseconds), in [lo, hi].
inline CLI::Option* add_duration(CLI::App& cmd, const std::string& name,
                                 std::chrono::milliseconds& value, const std::string& what,
                                 std::chrono::milliseconds lo, std::chrono::milliseconds hi) {
  static const std::map<std::string, double> ms_units{
      {"ms", 1.0}, {"s", 1000.0}, {"min", 60'000.0}, {"h", 3'600'000.0}};
  const auto in_range = [lo = lo.count(), hi = hi.count()](std::string& ms_text) -> std::string {
    double ms = 0;
    const auto [end, ec] = std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), ms);
    if (ec == std::errc{} && std::isfinite(ms) && ms >= static_cast<double>(lo) &&
        ms <= static_cast<double>(hi))
      return {};
    return fmt::format("not a duration from {} to {}", duration_text(lo), duration_text(hi));
  };
  return cmd
      .add_option_function<double>(
          name, [&value](double ms) { value = std::chrono::milliseconds(std::llround(ms)); }, what)
      ->transform(CLI::AsNumberWithUnit(ms_units, CLI::AsNumberWithUnit::CASE_INSENSITIVE, "UNIT"))
      ->check(CLI::Validator(
          in_range, fmt::format("{}..{}", duration_text(lo.count()), duration_text(hi.count()))))
      ->default_str(duration_text(value.count()));
}

// ---- The model settings ----

inline CLI::Option* add_model(CLI::App& cmd, std::string& model) {
  return cmd.add_option("-m,--model", model, models::names_text())
      ->check(CLI::IsMember(models::names()))
      ->capture_default_str();
}

// --worker-processes: the processes model's workers, bounded as threads are (each is a process
// the OS may refuse, which is reported as such).
inline void add_worker_processes(CLI::App& cmd, unsigned& processes) {
  cmd.add_option("--worker-processes", processes,
                 "processes model: worker processes forked for a run (at most one per job)")
      ->check(whole_in(1u, max_model_threads))
      ->capture_default_str();
}

// --pool-threads, --worker-threads and --worker-processes.
inline void add_model_threads(CLI::App& cmd, models::config& config) {
  cmd.add_option("--pool-threads", config.pool_threads, "executor model: pool size")
      ->check(whole_in(1u, max_model_threads))
      ->capture_default_str();
  cmd.add_option("--worker-threads", config.worker_threads,
                 "tbb model: arena size; threads model: dirsearch's walkers")
      ->check(whole_in(1u, max_model_threads))
      ->capture_default_str();
  add_worker_processes(cmd, config.worker_processes);
}

// -j: every model's threads at once (0, the default, leaves each its own default).
inline CLI::Option* add_all_threads(CLI::App& cmd, unsigned& threads) {
  return cmd
      .add_option("-j,--threads", threads,
                  "threads for the threads model, the executor's pool and the tbb arena "
                  "(default: the cores, and cores + 4 for the pool)")
      ->check(whole_in(1u, max_model_threads));
}

// The config with -j's threads, when given, in every model.
inline models::config with_all_threads(models::config config, unsigned threads) {
  if (threads != 0) config.pool_threads = config.worker_threads = threads;
  return config;
}

// ---- Environment variables as fallbacks of flags ----
// As Google Benchmark's BENCHMARK_<FLAG>: a flag registered with ->envname(VARIABLE) takes the
// variable's value when the command line does not give the flag (CLI11 reads it then, and --help
// shows it as "(Env:VARIABLE)"); the flag wins.

// How the user gave such an option, for messages: its flag when the command line has it, else its
// variable.
inline std::string given_as(const CLI::Option& option, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    for (const auto& name : option.get_lnames())
      if (arg == "--" + name || arg.starts_with("--" + name + "=")) return "--" + name;
  }
  return option.get_envname();
}

// "--name=" with nothing after the '=': CLI11 would take the next argument as the value
// ("--allocator= --max-rounds=2" ate the flag). An option of `app` or of a subcommand of it.
inline void refuse_empty_values(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (!arg.starts_with("--") || !arg.ends_with('=')) continue;
    const std::string flag(arg.substr(0, arg.size() - 1));
    bool known = app.get_option_no_throw(flag) != nullptr;
    for (const auto* sub : app.get_subcommands({}))
      known = known || sub->get_option_no_throw(flag) != nullptr;
    if (known)
      throw usage_error(fmt::format("{}: the value is empty (give one after the '=')", flag));
  }
}

}  // namespace concur::cli
