// The plots: median time per case, one line per model, drawn by gnuplot when it is installed.
#include <fmt/format.h>

#include <fstream>

#include "core/process.hpp"
#include "core/report_summary.hpp"

namespace concur::report::detail {
namespace {

// gnuplot's data: a row per case, a column per model, NaN where the cell has no time.
void write_plot_data(const workload_cells& w, const std::filesystem::path& path) {
  std::ofstream data(path);
  data << "case";
  for (const auto& m : w.models) data << ' ' << m;
  data << '\n';
  for (const auto& c : w.cases) {
    data << c;
    for (const auto& m : w.models) {
      const summary* s = w.find(m, c);
      const auto t = s ? s->median_of(&row::real_s) : std::nullopt;
      data << ' ' << (t ? fmt::format("{:.9g}", *t) : "NaN");
    }
    data << '\n';
  }
}

// A path as a gnuplot single-quoted string: a quote inside is written twice.
std::string quoted(const std::filesystem::path& path) {
  std::string out = "'";
  for (char c : path.string()) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

void write_plot_script(const workload_cells& w, const std::filesystem::path& path,
                       const std::filesystem::path& data_path,
                       const std::filesystem::path& png_path) {
  std::ofstream script(path);
  script << "set terminal pngcairo size 1000,600 noenhanced\n"
         << fmt::format("set output {}\n", quoted(png_path))
         << fmt::format(
                "set title '{}: median wall time per case (log scale; missing = skipped or "
                "refused)'\n",
                w.name)
         << "set logscale y\nset ylabel 'seconds'\nset key outside right\nset grid ytics\n"
         << "set xtics rotate by -30\nset datafile missing 'NaN'\nset style data linespoints\n"
         << fmt::format("plot for [i=2:{}] {} using i:xtic(1) title columnheader(i)\n",
                        w.models.size() + 1, quoted(data_path));
}

}  // namespace

std::optional<std::string> plot(const workload_cells& w, const std::filesystem::path& dir) {
  const auto data_path = dir / (w.name + ".dat");
  const auto script_path = dir / (w.name + ".gp");
  const auto png_path = dir / (w.name + ".png");
  write_plot_data(w, data_path);
  write_plot_script(w, script_path, data_path, png_path);
  // No shell: a directory name with a quote in it stays one argument.
  if (process::run_quiet({"gnuplot", script_path.string()}) != 0) return std::nullopt;
  return png_path.string();
}

}  // namespace concur::report::detail
