#pragma once
// An enum's names as one table, {value, name} in the enum's order, with the two look-ups written
// once: a value's name, and the value a name stands for (the report reads back what the bench
// wrote).
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace concur {

template <class E>
using name_entry = std::pair<E, std::string_view>;

// The name of `value`; "?" for a value the table lacks (an integer cast to the enum).
template <class E, std::size_t N>
constexpr std::string_view name_in(const name_entry<E> (&table)[N], E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "?";
}

// The value named `name`; none when no entry has that name.
template <class E, std::size_t N>
constexpr std::optional<E> value_in(const name_entry<E> (&table)[N], std::string_view name) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return std::nullopt;
}

}  // namespace concur
