// How each series of the plots looks: a colour from a colour-blind-safe palette, and a point
// type, a dash type and a fill that tell the series apart without colour too (greyscale print,
// a reader who cannot tell the hues apart).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "report/report_plot.hpp"

namespace concur::report::detail {
namespace {

// Okabe & Ito's palette ("Color Universal Design", 2008) without its yellow, which is too light
// for a line on white: black, orange, sky blue, bluish green, blue, vermillion, reddish purple.
constexpr const char* model_colours[] = {"#000000", "#e69f00", "#56b4e9", "#009e73",
                                         "#0072b2", "#d55e00", "#cc79a7"};
// gnuplot's filled shapes (circle, square, triangle up, triangle down, diamond, pentagon), a star
// and a plus: a model's point by its place, as its colour is. × (2) marks a rung that was not
// timed.
constexpr int model_points[] = {7, 5, 9, 11, 13, 15, 3, 1};

// The external programs: neutral colours none of the models has, their own points.
constexpr const char* program_colours[] = {"#555555", "#997700", "#888888", "#663333"};
constexpr int program_points[] = {1, 12, 14, 3};

// Dash types (gnuplot's dt) and fill patterns (fs pattern) by kind of series.
constexpr int solid_dash = 1, python_dash = 2, program_dash = 3;
constexpr int python_pattern = 4, program_pattern = 1;  // hatched /, cross-hatched

// A colour of hue h (degrees), saturation s and lightness l (0 to 1), as "#rrggbb".
std::string hsl_colour(double h, double s, double l) {
  const double a = s * std::min(l, 1 - l);
  const auto channel = [&](double n) {
    const double k = std::fmod(n + h / 30, 12);
    const double v = l - a * std::max(-1.0, std::min({k - 3, 9 - k, 1.0}));
    return static_cast<int>(std::lround(v * 255));
  };
  return fmt::format("#{:02x}{:02x}{:02x}", channel(0), channel(8), channel(4));
}

// Past the table: hues around the wheel, each the golden angle on from the last, so that every
// place has a colour of its own and neighbours in the order stay far apart.
template <std::size_t n>
std::string colour_at(const char* const (&table)[n], std::size_t place, double first_hue) {
  if (place < n) return table[place];
  const double golden_angle = 137.508;
  return hsl_colour(std::fmod(first_hue + golden_angle * static_cast<double>(place - n), 360.0),
                    0.55, 0.42);
}

series_style model_style(std::size_t place) {
  return {.colour = colour_at(model_colours, place, 265),
          .point = model_points[place % std::size(model_points)],
          .dash = solid_dash};
}

// A Python cell: its counterpart's colour, with the hollow form of its point, dashed, hatched.
series_style python_style(std::size_t counterpart_place) {
  auto s = model_style(counterpart_place);
  s.point = hollow_point(s.point);
  s.dash = python_dash;
  s.pattern = python_pattern;
  return s;
}

series_style program_style(std::size_t place) {
  return {.colour = colour_at(program_colours, place, 40),
          .point = program_points[place % std::size(program_points)],
          .dash = program_dash,
          .pattern = program_pattern};
}

std::optional<std::size_t> place_of(const std::vector<std::string>& order, const std::string& m) {
  const auto it = std::find(order.begin(), order.end(), m);
  if (it == order.end()) return std::nullopt;
  return static_cast<std::size_t>(it - order.begin());
}

}  // namespace

int hollow_point(int point) {
  return point >= 5 && point % 2 == 1 ? point - 1 : point;
}

int filled_point(int point) {
  if (point < 4) return 7;  // a cross has no filled form: a disc under it
  return point % 2 == 0 ? point + 1 : point;
}

std::string contrast_colour(const std::string& colour) {
  const auto channel = [&](std::size_t at) {
    return std::stoi(colour.substr(at, 2), nullptr, 16) / 255.0;
  };
  // Rec. 709 luma: a light fill takes a black point, a dark one a white point.
  const double luma = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luma > 0.45 ? "#000000" : "#ffffff";
}

styles styles_of(const std::vector<std::string>& model_order,
                 const std::vector<workload_cells>& workloads) {
  styles out;
  std::size_t others = 0;
  for (const auto& w : workloads)
    for (const auto& m : w.models) {
      if (out.contains(m)) continue;
      const auto pair = w.counterparts.find(m);
      if (const auto i = place_of(model_order, m)) {
        out[m] = model_style(*i);
      } else if (const auto j = pair == w.counterparts.end()
                                    ? std::nullopt
                                    : place_of(model_order, pair->second)) {
        out[m] = python_style(*j);
      } else {
        out[m] = program_style(others++);
      }
    }
  return out;
}

}  // namespace concur::report::detail
