#pragma once
#include <cstddef>

namespace concur {

template <class... Ts>
struct type_list {};

// Calls f.template operator()<T>() for each T, in order.
template <class... Ts, class F>
constexpr void for_each_type(type_list<Ts...>, F&& f) {
  (f.template operator()<Ts>(), ...);
}

template <class... Ts>
constexpr std::size_t size(type_list<Ts...>) {
  return sizeof...(Ts);
}

}  // namespace concur
