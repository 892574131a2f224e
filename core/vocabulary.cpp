#include "core/vocabulary.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include <algorithm>

#include "core/names.hpp"

namespace concur::vocabulary {
namespace {

constexpr name_entry<verdict_kind> kind_names[] = {
    {verdict_kind::pass, "pass"},
    {verdict_kind::fail, "FAIL"},  // loud in a column of passes
    {verdict_kind::skipped, "skipped"},
    {verdict_kind::refused, "refused"},
    {verdict_kind::unsupported, "unsupported"},
    {verdict_kind::error, "error"}};

// The kinds a skip message can carry as its prefix.
constexpr std::array skip_kinds = {verdict_kind::fail, verdict_kind::refused, verdict_kind::skipped,
                                   verdict_kind::unsupported};

constexpr std::string_view separator = ": ";
constexpr std::string_view oracle_key = "oracle=";
constexpr std::string_view ladder_key = "; ladder=";
constexpr std::string_view rung_key = "; rung=";
constexpr std::string_view external_field = "; external=yes";
constexpr std::string_view counterpart_key = "; counterpart=";
constexpr std::string_view settings_key = "; settings=";

}  // namespace

std::string_view to_string(verdict_kind k) {
  return name_in(kind_names, k);
}

std::optional<verdict_kind> parse_verdict_kind(std::string_view text) {
  return value_in(kind_names, text);
}

// An error carries no prefix of ours: its message is its detail, as it came.
std::string skip_message(verdict_kind kind, std::string_view detail) {
  if (kind == verdict_kind::error) return std::string(detail);
  std::string out(to_string(kind));
  out += separator;
  out += detail;
  return out;
}

skip parse_skip_message(std::string_view message) {
  for (const verdict_kind k : skip_kinds) {
    const std::string prefix = std::string(to_string(k)) + std::string(separator);
    if (message.starts_with(prefix)) return {k, std::string(message.substr(prefix.size()))};
  }
  return {verdict_kind::error, std::string(message)};
}

std::string make_label(const label& l) {
  std::string out(oracle_key);
  out += l.oracle;
  if (!l.ladder.empty()) {
    out += ladder_key;
    out += l.ladder;
    if (l.rung) out += fmt::format("{}{:g}", rung_key, *l.rung);
  }
  if (l.external) out += external_field;
  if (!l.counterpart.empty()) {
    out += counterpart_key;
    out += l.counterpart;
  }
  out += settings_key;
  out += l.settings;
  return out;
}

label parse_label(std::string_view text) {
  const auto settings_at = text.find(settings_key);
  if (!text.starts_with(oracle_key) || settings_at == std::string_view::npos) return {};
  std::string_view oracle = text.substr(oracle_key.size(), settings_at - oracle_key.size());
  label out{.settings = std::string(text.substr(settings_at + settings_key.size()))};
  if (const auto at = oracle.rfind(counterpart_key); at != std::string_view::npos) {
    out.counterpart = std::string(oracle.substr(at + counterpart_key.size()));
    oracle = oracle.substr(0, at);
  }
  out.external = oracle.ends_with(external_field);
  if (out.external) oracle.remove_suffix(external_field.size());
  if (const auto at = oracle.find(ladder_key); at != std::string_view::npos) {
    std::string_view ladder = oracle.substr(at + ladder_key.size());
    if (const auto r = ladder.rfind(rung_key); r != std::string_view::npos) {
      const std::string size(ladder.substr(r + rung_key.size()));
      char* end = nullptr;
      const double n = std::strtod(size.c_str(), &end);
      if (!size.empty() && *end == '\0') out.rung = n;
      ladder = ladder.substr(0, r);
    }
    out.ladder = std::string(ladder);
    oracle = oracle.substr(0, at);
  }
  out.oracle = std::string(oracle);
  // Old files: no marker, only the settings text.
  if (out.settings.starts_with(external_program)) out.external = true;
  return out;
}

bool is_workload_metric(std::string_view key) {
  const auto in = [key](const auto& names) {
    return std::find(names.begin(), names.end(), key) != names.end();
  };
  return !in(benchmark_keys) && !in(counters::harness);
}

}  // namespace concur::vocabulary
