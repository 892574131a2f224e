// concur report RESULTS.json: what concur-bench wrote, as results.csv (one row per repetition),
// cells.csv (one row per cell: median, 95 % CI, n, CV, speed-up with its CI), report.md (the
// summary first), details/<workload>.md (the per-case tables report.md links to) and plots/.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <stdexcept>

#include "cli/commands.hpp"
#include "cli/top_level.hpp"
#include "report/report.hpp"

namespace concur::cli {
namespace {

// The output directory, made when missing; a clear error when it cannot be.
void make_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec && !std::filesystem::is_directory(dir, ec))
    ec = std::make_error_code(std::errc::not_a_directory);
  if (ec)
    throw std::runtime_error(
        fmt::format("cannot make the report directory {}: {}", dir.string(), ec.message()));
}

// gnuplot cannot write a file whose name holds a newline or another control character (and
// says so in seven lines): such a directory is refused before anything is written.
void refuse_control_characters(const std::string& dir) {
  std::string shown;
  bool control = false;
  for (const char c : dir) {
    const auto byte = static_cast<unsigned char>(c);
    const bool this_one = byte < 0x20 || byte == 0x7f;
    shown += this_one ? fmt::format("\\x{:02x}", byte) : std::string(1, c);
    control = control || this_one;
  }
  if (control)
    throw usage_error(fmt::format(
        "the report directory \"{}\" holds a control character: choose another name", shown));
}

}  // namespace

void add_report(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "report",
      "turn concur-bench JSON into report.md (contents, the summary first, per workload its plots "
      "and overview; then the machine, the method, the settings, the calibration, the "
      "environment), details/<workload>.md (every case's figures, the cells not timed one line "
      "per reason, growth, against the programs and Python), plots/, results.csv and cells.csv; "
      "report.md links to whole-process/report.md when that is in the directory");
  struct args {
    std::string json_path, out_dir;
  };
  auto a = std::make_shared<args>();
  cmd->add_option("RESULTS.json", a->json_path, "JSON written by concur-bench --benchmark_out=FILE")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", a->out_dir,
                  "directory for the reports (default: the JSON's directory)");
  cmd->callback([a, &exit_code] {
    const auto results = report::load(a->json_path);
    std::string dir = a->out_dir;
    if (dir.empty()) dir = std::filesystem::path(a->json_path).parent_path().string();
    if (dir.empty()) dir = ".";
    refuse_control_characters(dir);
    make_directory(dir);
    for (const auto& path : report::write_all(results, dir)) fmt::print("wrote {}\n", path);
    exit_code = 0;
  });
}

}  // namespace concur::cli
