#pragma once
// One CSV field as RFC 4180 writes it, for every CSV the reports write.
#include <string>
#include <string_view>

namespace concur::csv {

// Quoted, with its quotes doubled, when it holds a comma, a quote or a line break.
inline std::string field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

}  // namespace concur::csv
