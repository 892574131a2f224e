#pragma once
// Readable differences between an expected and an actual result: one line per field that differs,
// the first few differing elements of a sequence, and a count of the rest.
#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace concur {

class diff {
 public:
  static constexpr std::size_t max_shown = 5;

  template <class T>
  diff& field(std::string_view name, const T& expected, const T& actual) {
    if (!(expected == actual))
      lines_.push_back(fmt::format("{}: expected {}, got {}", name, expected, actual));
    return *this;
  }

  // Element-wise, for results whose order is part of the answer (gather order).
  template <class T, class Format>
  diff& sequence(std::string_view name, const std::vector<T>& expected,
                 const std::vector<T>& actual, Format format) {
    if (expected.size() != actual.size())
      lines_.push_back(
          fmt::format("{}: expected {} elements, got {}", name, expected.size(), actual.size()));
    const std::size_t common = std::min(expected.size(), actual.size());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < common; ++i) {
      if (expected[i] == actual[i]) continue;
      if (differing++ < max_shown)
        lines_.push_back(fmt::format("{}[{}]: expected {}, got {}", name, i, format(expected[i]),
                                     format(actual[i])));
    }
    if (differing > max_shown)
      lines_.push_back(fmt::format("{}: {} more differing elements", name, differing - max_shown));
    return *this;
  }

  // For sorted, duplicate-free sequences whose answer is a set: what is missing, what is extra.
  template <class T, class Format>
  diff& sorted_set(std::string_view name, const std::vector<T>& expected,
                   const std::vector<T>& actual, Format format) {
    std::vector<T> missing, extra;
    std::set_difference(expected.begin(), expected.end(), actual.begin(), actual.end(),
                        std::back_inserter(missing));
    std::set_difference(actual.begin(), actual.end(), expected.begin(), expected.end(),
                        std::back_inserter(extra));
    list(name, "missing", missing, format);
    list(name, "unexpected", extra, format);
    return *this;
  }

  std::string str() const;  // lines joined with '\n'

 private:
  template <class T, class Format>
  void list(std::string_view name, std::string_view what, const std::vector<T>& items,
            Format format) {
    if (items.empty()) return;
    std::string shown;
    for (std::size_t i = 0; i < std::min(items.size(), max_shown); ++i)
      shown += (i ? ", " : "") + std::string(format(items[i]));
    if (items.size() > max_shown) shown += fmt::format(" and {} more", items.size() - max_shown);
    lines_.push_back(fmt::format("{}: {} {}: {}", name, items.size(), what, shown));
  }

  std::vector<std::string> lines_;
};

}  // namespace concur
