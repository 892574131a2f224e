// write_all: every report into one directory: report.md, the details/ it links to, the plots. The
// writers live beside this file, one per output, as Google Benchmark splits its reporters:
// report_json.cpp reads, report_csv.cpp, report_cells_csv.cpp, report_markdown*.cpp and
// report_plot.cpp write.
#include "report/report.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/process.hpp"
#include "report/report_plot.hpp"

namespace concur::report {
namespace {

// The plots into dir/plots: the paths written, or the reason there are none (empty when gnuplot
// is not installed).
std::vector<std::string> write_plots(const results& r, const std::filesystem::path& dir,
                                     std::string& failure) {
  if (!process::find_program("gnuplot")) return {};
  try {
    std::filesystem::create_directories(dir / "plots");
    return detail::plot_all(r.model_order, detail::by_workload(r), dir / "plots");
  } catch (const std::exception& e) {
    failure = e.what();
    return {};
  }
}

}  // namespace

std::vector<std::string> write_all(const results& r, const std::string& dir_name) {
  const std::filesystem::path dir(dir_name);
  std::filesystem::create_directories(dir);
  std::vector<std::string> written;
  auto write = [&](const std::filesystem::path& p, const std::string& text) {
    errno = 0;
    std::ofstream out(p);
    out << text;
    out.close();  // a full disk shows at the flush
    if (!out)
      throw error(fmt::format("cannot write \"{}\": {}", p.string(),
                              errno != 0 ? std::strerror(errno) : "the write failed"));
    written.push_back(p.string());
  };
  write(dir / "results.csv", to_csv(r));
  write(dir / "cells.csv", to_cells_csv(r));
  // A failed plot fails the command, once report.md is written (without plots).
  std::string failure;
  const auto plots = write_plots(r, dir, failure);
  written.insert(written.end(), plots.begin(), plots.end());
  if (std::error_code ec; !std::filesystem::create_directories(dir / "details", ec) && ec)
    throw error(fmt::format("cannot make \"{}\": {}", (dir / "details").string(), ec.message()));
  for (const auto& d : to_details_markdown(r)) write(dir / d.path, d.text);
  const bool whole_process = std::filesystem::exists(dir / whole_process_report);
  write(dir / "report.md",
        to_markdown(r, plots.empty() ? "" : "plots", whole_process ? whole_process_report : ""));
  if (!failure.empty())
    throw error(
        fmt::format("{} ({} was written without plots)", failure, (dir / "report.md").string()));
  return written;
}

}  // namespace concur::report
