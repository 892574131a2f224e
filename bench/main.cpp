// concur-bench: every cell of the matrix, verified against the oracle, then timed with Google
// Benchmark in interleaved rounds (bench/rounds.hpp, bench/driver.hpp): each round times every
// still-active cell once, in a seeded random order; a run's repetition_index is its round. Every
// standard --benchmark_* flag works, except --benchmark_repetitions (the rounds are the
// repetitions); --benchmark_out is written by concur-bench itself (bench/reporter.hpp) and is JSON
// only. The console shows a line per cell at the end (bench/reporter.hpp's cell_display), or
// Google Benchmark's row per run when --benchmark_format is given. The command line is
// bench/options.hpp.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "bench/allocator.hpp"
#include "bench/driver.hpp"
#include "bench/matrix.hpp"
#include "bench/options.hpp"
#include "bench/runner.hpp"
#include "bench/slowdown.hpp"
#include "cli/options.hpp"
#include "cli/top_level.hpp"
#include "core/cleanup.hpp"
#include "core/machine.hpp"
#include "models/models.hpp"

namespace {

using namespace concur;

// The settings that follow from the command line; throws cli::usage_error on a mistake.
bench::timing_options timing_of(const bench::command_line& o) {
  bench::timing_options timing{
      .settings = bench::rounds_settings(o), .preset = bench::preset_of(o), .out_path = o.out_path};
  if (const std::string error = bench::usage_error(o, timing.settings); !error.empty())
    throw cli::usage_error(error);
  const auto hook = bench::parse_slowdown(o.test_slowdown);
  if (!hook)
    throw cli::usage_error(
        fmt::format("{}: expected MODEL:FACTOR with 1 <= FACTOR <= 100", o.test_slowdown_given_as));
  // A misspelt model would slow nothing while the run is recorded as hooked.
  const auto all = models::names();
  if (hook->active() && std::find(all.begin(), all.end(), hook->model) == all.end())
    throw cli::usage_error(fmt::format("{}: no model named {} (the models: {})",
                                       o.test_slowdown_given_as, hook->model,
                                       models::names_text()));
  timing.hook = *hook;
  return timing;
}

// Google Benchmark gets the program name, the time per run, and whatever we did not take. False
// when it does not know an argument (it says which, after the name: ours, not argv[0]'s path).
bool init_benchmark(std::vector<std::string> rest, double min_time_s) {
  rest.insert(rest.begin(), fmt::format("--benchmark_min_time={}", min_time_s));
  static char program[] = "concur-bench";
  std::vector<char*> gb_argv{program};
  for (auto& arg : rest) gb_argv.push_back(arg.data());
  int gb_argc = static_cast<int>(gb_argv.size());
  benchmark::Initialize(&gb_argc, gb_argv.data());
  return !benchmark::ReportUnrecognizedArguments(gb_argc, gb_argv.data());
}

bool asks_for_benchmark_display(const std::vector<std::string>& rest) {
  return std::any_of(rest.begin(), rest.end(),
                     [](const std::string& arg) { return arg.starts_with("--benchmark_format"); });
}

// The cells of the selected kinds that --benchmark_filter matches. A filter that selects nothing
// is a mistake, never an empty success ("verified").
std::vector<bench::cell> select_cells(const bench::command_line& o) {
  const bench::name_filter filter(benchmark::GetBenchmarkFilter());
  bench::options matrix = o.matrix;
  std::erase_if(matrix.kinds, [&](case_kind kind) { return !bench::selected(o, kind); });
  std::vector<bench::cell> cells;
  for (auto& c : bench::make_cells(matrix))
    if (filter.matches(c)) cells.push_back(std::move(c));
  if (cells.empty())
    throw cli::usage_error(fmt::format(
        "no cell matches --benchmark_filter=\"{}\"{} (--list shows them)", filter.text(),
        o.all_cases ? "" : " among the selected cases (--all-cases adds the test cases)"));
  return cells;
}

void list(const std::vector<bench::cell>& cells) {
  for (const auto& c : cells)
    fmt::print("{:<45} ideal {:>9.3f} s  {:<40} {}\n", c.name(), c.ideal_seconds, c.settings,
               c.skip_message());
}

// Times the cells; returns the exit status.
int time_all(bench::runner& runner, const bench::timing_options& timing,
             const bench::command_line& o, const machine::snapshot& start) {
  if (!timing.out_path.empty() && !std::ofstream(timing.out_path))
    throw std::runtime_error(
        fmt::format("cannot write --benchmark_out={}: {}", timing.out_path, std::strerror(errno)));
  bench::announce(timing.hook, o.test_slowdown_given_as, runner.cells());
  bench::warn_if_loaded(start);
  const int status = bench::time_cells(runner, timing, o.matrix, start);
  benchmark::Shutdown();
  if (runner.any_failed())
    std::fprintf(stderr, "concur-bench: some cells FAILED verification (see above)\n");
  return status;
}

int run(int argc, char** argv) {
  // Before anything of ours runs: the machine as we found it.
  const machine::snapshot start = machine::take();
  CLI::App app{
      "concur-bench: every workload in every model, verified, then timed with Google Benchmark.\n"
      "Other --benchmark_* flags are passed to Google Benchmark."};
  app.footer(bench::help_footer);
  bench::command_line o;
  bench::add_options(app, o);
  app.allow_extras();
  cli::refuse_empty_values(app, argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli::parse_error(app, e, "concur-bench");
  }
  bench::note_sources(app, o, argc, argv);
  bench::allocator::use(o.allocator, bench::allocator_directories(o), argv);  // may re-execute

  bench::timing_options timing = timing_of(o);
  timing.benchmark_display = asks_for_benchmark_display(app.remaining());
  if (!init_benchmark(app.remaining(), timing.settings.min_time_s)) return 2;
  bench::hand_down(o);
  bench::runner runner(select_cells(o));
  if (o.list) {
    list(runner.cells());
    return 0;
  }
  if (o.verify_only) {
    for (const auto& c : runner.cells()) runner.verify(c);
    return runner.any_failed() ? 1 : 0;
  }
  return time_all(runner, timing, o, start);
}

}  // namespace

int main(int argc, char** argv) {
  cleanup::install_signal_handlers();
  return cli::run_main("concur-bench", [&] { return run(argc, argv); });
}
