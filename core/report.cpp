// write_all: every report into one directory. The writers live beside this file, one per
// output, as Google Benchmark splits its reporters: report_json.cpp reads, report_csv.cpp,
// report_cells_csv.cpp, report_markdown*.cpp and report_plot.cpp write.
#include "core/report.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "core/process.hpp"
#include "core/report_summary.hpp"

namespace concur::report {
namespace {

// A plot per workload into dir/plots, when gnuplot is installed; false when any is missing.
bool write_plots(const results& r, const std::filesystem::path& dir,
                 std::vector<std::string>& written) {
  if (!process::find_program("gnuplot")) return false;
  const auto plots = dir / "plots";
  std::filesystem::create_directories(plots);
  bool all = true;
  for (const auto& w : detail::by_workload(r)) {
    if (auto png = detail::plot(w, plots))
      written.push_back(*png);
    else
      all = false;
  }
  return all;
}

}  // namespace

std::vector<std::string> write_all(const results& r, const std::string& dir_name) {
  const std::filesystem::path dir(dir_name);
  std::filesystem::create_directories(dir);
  std::vector<std::string> written;
  auto write = [&](const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p);
    out << text;
    out.close();  // a full disk shows at the flush
    if (!out) throw error(fmt::format("cannot write \"{}\"", p.string()));
    written.push_back(p.string());
  };
  write(dir / "results.csv", to_csv(r));
  write(dir / "cells.csv", to_cells_csv(r));
  const bool plotted = write_plots(r, dir, written);
  write(dir / "report.md", to_markdown(r, plotted ? "plots" : ""));
  return written;
}

}  // namespace concur::report
