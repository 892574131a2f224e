// concur compare BASE.json NEW.json [MORE.json ...]: per cell, the change from the base with its
// 95 % CI, the U test's p and a verdict; exit status 1 when a cell is resolved slower by more
// than the threshold (a CI regression gate), 2 on a usage error.
#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/top_level.hpp"
#include "report/compare.hpp"

namespace concur::cli {
namespace {

struct args {
  std::vector<std::string> files, labels;
  std::string threshold = "5";
  std::string out_dir, csv_path;
};

// "5", "5%" or "12.5 %": a percentage, as a fraction.
double parse_threshold(std::string text) {
  while (!text.empty() && (text.back() == '%' || text.back() == ' ')) text.pop_back();
  double percent = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), percent);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(percent) ||
      percent < 0 || percent > 1000)
    throw compare::error(
        fmt::format("--threshold: \"{}\" is not a percentage from 0 to 1000 (e.g. 5 or 5%)",
                    text.size() <= 24 ? text : text.substr(0, 20) + "..."));
  return percent / 100;
}

// A file that could not be written: exit status 1 like every write error, not a usage error.
class write_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void write_file(const std::filesystem::path& path, const std::string& text) {
  errno = 0;
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out)
    throw write_error(fmt::format("cannot write \"{}\": {}", path.string(),
                                  errno != 0 ? std::strerror(errno) : "the write failed"));
}

// The same file by identity (device and inode), so that another spelling of the path or a hard
// link is caught too; false when either does not exist.
bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {};
  struct stat sb {};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

// An output that is one of the inputs would be overwritten by the table read from it.
void refuse_overwriting_inputs(const args& a) {
  std::vector<std::pair<std::string, std::string>> outputs;  // option, path
  if (!a.csv_path.empty()) outputs.emplace_back("--csv", a.csv_path);
  for (const char* name : {"compare.md", "compare.csv"})
    if (!a.out_dir.empty())
      outputs.emplace_back("--out", (std::filesystem::path(a.out_dir) / name).string());
  for (const auto& [option, out] : outputs)
    for (const auto& in : a.files)
      if (same_file(out, in))
        throw compare::error(
            fmt::format("{} would overwrite \"{}\", which is the input \"{}\": write elsewhere",
                        option, out, in));
}

// With --out the tables go to files; the lines a CI log needs still go to standard output.
void write_out_dir(const compare::comparison& c, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw write_error(fmt::format("cannot create \"{}\": {}", dir.string(), ec.message()));
  write_file(dir / "compare.md", compare::to_markdown(c));
  write_file(dir / "compare.csv", compare::to_csv(c));
  for (const auto& w : c.warnings) fmt::print("{}\n", w);
  for (std::size_t f = 1; f < c.labels.size(); ++f) fmt::print("{}\n", compare::summary_line(c, f));
  fmt::print("{}\n", compare::gate_line(c));
  fmt::print("wrote {}\nwrote {}\n", (dir / "compare.md").string(), (dir / "compare.csv").string());
}

int run(const args& a) {
  // --label takes the words after it up to the next option, files included.
  if (a.files.size() < 2 && !a.labels.empty())
    throw compare::error(
        "need a base and at least one file to compare (--label takes every word after it up to "
        "the next option: put the files first, or repeat --label L for each file)");
  const double threshold = parse_threshold(a.threshold);
  refuse_overwriting_inputs(a);
  std::vector<compare::input> inputs;
  for (const auto& path : a.files) inputs.push_back({path, report::load(path)});
  const auto c = compare::build(inputs, {.threshold = threshold, .labels = a.labels});
  if (a.out_dir.empty())
    fmt::print("{}", compare::to_markdown(c));
  else
    write_out_dir(c, a.out_dir);
  if (!a.csv_path.empty()) write_file(a.csv_path, compare::to_csv(c));
  return c.regressed() ? 1 : 0;
}

}  // namespace

void add_compare(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "compare",
      "compare concur-bench JSON files cell by cell against the first (the base): change ratio "
      "with its 95 % CI, Mann-Whitney U p-value, verdict; exit status 1 when a cell is resolved "
      "slower by more than --threshold");
  auto a = std::make_shared<args>();
  cmd->add_option("BASE.json NEW.json", a->files,
                  "JSON written by concur-bench --benchmark_out=FILE: the base, then one or more "
                  "to compare with it")
      ->required();
  cmd->add_option("--threshold", a->threshold,
                  "percent: exit status 1 when a cell is resolved slower by more than this "
                  "(its whole CI beyond it)")
      ->capture_default_str();
  cmd->add_option("--label", a->labels,
                  "one label per file, in order (default: host name and date from each file's "
                  "context, else the file name)");
  cmd->add_option("-o,--out", a->out_dir, "write compare.md and compare.csv into this directory");
  cmd->add_option("--csv", a->csv_path, "write the CSV table to this file");
  cmd->callback([a, &exit_code] {
    // An error in what was given is a usage error (2); a write that failed is 1, as for every
    // command (the gate's 1 then comes with the error line that tells it apart).
    try {
      exit_code = run(*a);
    } catch (const compare::error& e) {
      throw usage_error(e.what());
    } catch (const report::error& e) {
      throw usage_error(e.what());
    }
  });
}

}  // namespace concur::cli
