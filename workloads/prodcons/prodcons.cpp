#include "workloads/prodcons/prodcons.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/diff.hpp"

namespace concur::prodcons {

std::uint64_t item_of(std::size_t producer, std::size_t j) {
  // splitmix64's finaliser over (producer, j)
  std::uint64_t z = (static_cast<std::uint64_t>(producer) << 40) + j + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

result make_result(std::vector<std::uint64_t> consumed, std::size_t produced,
                   std::size_t high_water, const params& p, bool clean_shutdown) {
  std::sort(consumed.begin(), consumed.end());
  result r{.consumed = std::move(consumed),
           .produced = produced,
           .within_capacity = high_water <= p.capacity,
           .clean_shutdown = clean_shutdown,
           .high_water = high_water};
  for (auto v : r.consumed) r.total += v;
  return r;
}

std::vector<case_def<params>> workload::cases() {
  std::vector<case_def<params>> out{
      {"p1_c1_k1_n200", case_kind::test, {1, 1, 1, 200}},
      {"p4_c2_k3_n250", case_kind::test, {4, 2, 3, 250}},
      {"p2_c5_k2_n300", case_kind::test, {2, 5, 2, 300}},
      {"p3_c3_k64_n100", case_kind::test, {3, 3, 64, 100}},
      {"p4_c4_k16_n1000", case_kind::test, {4, 4, 16, 250}},  // the ladder's shape (below)
  };
  // (P, C, K) as in the issue: one each, balanced, many producers on a tight queue (--sweep's).
  // The balanced one is a rung of the size ladder of items (P x N), with larger ones in the sweep.
  const std::string axis = "items";
  for (auto [p, c, k] : {std::tuple{1, 1, 16}, std::tuple{4, 4, 16}, std::tuple{8, 2, 4}}) {
    out.push_back(
        {fmt::format("p{}_c{}_k{}_n20000", p, c, k),
         p == 8 ? case_kind::sweep : case_kind::bench,
         {std::size_t(p), std::size_t(c), std::size_t(k), 20'000 / std::size_t(p), true}});
    if (p == 4) out.back().ladder = ladder_point{axis, 20'000};
  }
  for (std::size_t n : {10'000, 100'000, 1'000'000})
    out.push_back({.name = fmt::format("p4_c4_k16_n{}", n),
                   .kind = case_kind::sweep,
                   .params = {4, 4, 16, n / 4},
                   .ladder = ladder_point{axis, static_cast<double>(n)}});
  return out;
}

result workload::reference(const params& p) {
  std::vector<std::uint64_t> all;
  for (std::size_t producer = 0; producer < p.producers; ++producer)
    for (std::size_t j = 0; j < p.items_per_producer; ++j) all.push_back(item_of(producer, j));
  const std::size_t n = all.size();
  return make_result(std::move(all), n, std::min(n, p.capacity), p, true);
}

std::string workload::describe_diff(const result& expected, const result& actual) {
  auto hex = [](std::uint64_t v) { return fmt::format("{:#x}", v); };
  return diff{}
      .field("items produced", expected.produced, actual.produced)
      .field("items consumed", expected.consumed.size(), actual.consumed.size())
      .field("total", expected.total, actual.total)
      .field("queue within capacity", expected.within_capacity, actual.within_capacity)
      .field("consumers shut down cleanly", expected.clean_shutdown, actual.clean_shutdown)
      .sorted_set("consumed", expected.consumed, actual.consumed, hex)
      .str();
}

}  // namespace concur::prodcons
