#include "core/merit.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/names.hpp"

namespace concur::merit {
namespace {

constexpr name_entry<quantity> quantity_names[] = {{quantity::wall_time, "wall_time"},
                                                   {quantity::cpu_time, "cpu_time"},
                                                   {quantity::peak_memory, "peak_memory"},
                                                   {quantity::metric, "metric"}};

namespace key {
constexpr const char* of = "of";
constexpr const char* per_item = "per_item";
constexpr const char* metric = "metric";
constexpr const char* unit = "unit";
constexpr const char* title = "title";
constexpr const char* primary = "primary";
constexpr const char* costs = "costs";
constexpr const char* item = "item";
constexpr const char* every_rung = "every_rung";
constexpr const char* per_case = "per_case";
constexpr const char* fixed_wall_time = "fixed_wall_time";
constexpr const char* floor = "floor";
constexpr const char* absent_why = "absent_why";
}  // namespace key

nlohmann::json to_json(const figure& f) {
  return {{key::of, name_in(quantity_names, f.of)},
          {key::per_item, f.per_item},
          {key::metric, f.metric},
          {key::unit, f.unit},
          {key::title, f.title}};
}

std::optional<figure> figure_from(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains(key::of) || !j[key::of].is_string()) return std::nullopt;
  const auto of = value_in(quantity_names, j[key::of].get<std::string>());
  if (!of) return std::nullopt;
  return figure{.of = *of,
                .per_item = j.value(key::per_item, false),
                .metric = j.value(key::metric, std::string()),
                .unit = j.value(key::unit, std::string()),
                .title = j.value(key::title, std::string())};
}

std::optional<declaration> declaration_from(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains(key::primary)) return std::nullopt;
  const auto primary = figure_from(j[key::primary]);
  if (!primary) return std::nullopt;
  declaration d{.primary = *primary,
                .item = j.value(key::item, std::string("item")),
                .every_rung = j.value(key::every_rung, false),
                .per_case = j.value(key::per_case, false),
                .fixed_wall_time = j.value(key::fixed_wall_time, false),
                .floor = j.value(key::floor, std::string()),
                .absent_why = j.value(key::absent_why, std::string())};
  if (const auto costs = j.find(key::costs); costs != j.end() && costs->is_array())
    for (const auto& c : *costs)
      if (const auto f = figure_from(c)) d.costs.push_back(*f);
  return d;
}

}  // namespace

std::string title_of(const figure& f, std::string_view item) {
  if (!f.title.empty()) return f.title;
  const std::string_view base = f.of == quantity::wall_time     ? "wall time"
                                : f.of == quantity::cpu_time    ? "CPU time"
                                : f.of == quantity::peak_memory ? "memory"
                                                                : std::string_view(f.metric);
  return f.per_item ? fmt::format("{} per {}", base, item) : std::string(base);
}

std::string to_text(const declaration& d) {
  nlohmann::json costs = nlohmann::json::array();
  for (const auto& c : d.costs) costs.push_back(to_json(c));
  const nlohmann::json j = {{key::primary, to_json(d.primary)},
                            {key::costs, costs},
                            {key::item, d.item},
                            {key::every_rung, d.every_rung},
                            {key::per_case, d.per_case},
                            {key::fixed_wall_time, d.fixed_wall_time},
                            {key::floor, d.floor},
                            {key::absent_why, d.absent_why}};
  return j.dump();
}

std::optional<declaration> parse(std::string_view text) {
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  try {
    return declaration_from(j);
  } catch (const nlohmann::json::exception&) {  // a key of the wrong type
    return std::nullopt;
  }
}

}  // namespace concur::merit
